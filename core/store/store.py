"""The store: the one code that reads and writes the working state, through SQLAlchemy.

Default: a SQLite file in the git-ignored ``.local/`` folder, created and seeded from data/ on
first start. Any SQLAlchemy URL (e.g. PostgreSQL) can be given instead. Every write is one
transaction; every change is recorded in ``changes`` (who, when, field, old → new, session).
An edit says, per field, what the editor started from and what they typed; a save writes only
those fields and merges per field (``core.store.edits.merge_fields``): someone else's change of
another field of the row stays, and only a field someone else changed meanwhile raises
``ConflictError`` (naming it) instead of being overwritten silently. Every editable row carries
a ``version``, so a write between this transaction's read and its write is never lost either.

``Store`` is one class made of one part per concern: its life (``lifecycle``), measures
(``measures``), the yearly cycle (``cycle``), the history and data version (``history``), sign-in
(``signin``) and the final evaluation's conclusions (``conclusions``); ``plan_store`` adds plans.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine

from core.store.conclusions import ConclusionsMixin
from core.store.cycle import CycleMixin
from core.store.errors import StoreUnavailable, translate_db_error
from core.store.history import HistoryMixin
from core.store.lifecycle import LifecycleMixin
from core.store.measures import MeasuresMixin
from core.store.signin import SigninMixin


class Store(LifecycleMixin, MeasuresMixin, CycleMixin, ConclusionsMixin, HistoryMixin, SigninMixin):
    """Read and write the working state; one instance per database URL."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.problem: StoreUnavailable | None = None  # set when the store can be read but not written
        if isinstance(engine, Engine) and not event.contains(engine, "handle_error", translate_db_error):
            event.listen(engine, "handle_error", translate_db_error)  # (not on the importer's one-transaction wrapper)
