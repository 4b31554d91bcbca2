"""The store: the only code that imports SQLAlchemy and talks to the database.

- ``schema``      the tables (SQLAlchemy Core)
- ``store``       ``Store``, the one class callers use, made of one part per concern:
- ``lifecycle``   opening, migrating and seeding a store; ``transaction()`` and its ``UnitOfWork`` (``unit``)
- ``measures``    measure reads and writes (edit, add, remove, restore)
- ``cycle``       the yearly cycle: observations, evaluations, vuosikello events
- ``conclusions`` the final evaluation's conclusions
- ``history``     the history of changes, the data version, undoing a change
- ``signin``      wrong passcodes counted, signed-out tokens, the token key
- ``plan_store``  plans: reading one, drafting the next, changing a draft
- ``writes``      how every write goes: the editor, retries, the one versioned update that merges
                  per field, bumps the version and records each field
- ``reads``       what the reads share: a query as a DataFrame, one plan's rows
- ``errors``      the refusals (``StoreError`` family, conflicts) and a driver's error translated
- ``urls``        database URLs (shown, a SQLite file)
- ``edits``       per-field diff and merge of an editor's changes
- ``migrate``     Alembic migrations (``migrations/``), run when a store opens
- ``testing``     a throw-away PostgreSQL schema for tests

The value checks and limits are in ``core.plan.validation``; ``core.store`` re-exports the names
callers use.
"""

from core.plan.validation import (
    CONCLUSION_FIELDS,
    EVALUATION_SCALE,
    MAX_CONTACT,
    MEASURE_EDITABLE,
    clean_conclusion_values,
    clean_evaluation_values,
    clean_event_values,
    clean_measure_values,
    parse_months,
)
from core.store.cycle import OBSERVATION_KEY, EvaluationChange, EventChange
from core.store.errors import (
    STORE_PROBLEM_KEYS,
    Conflict,
    ConflictError,
    DatabaseError,
    InvalidEdit,
    NotFound,
    PermissionDenied,
    StoreError,
    StoreUnavailable,
    field_label,
    store_problem_key,
)
from core.store.lifecycle import SCHEMA_VERSION
from core.store.measures import MeasureEdit
from core.store.migrate import BASELINE, head_revision, upgrade_schema
from core.store.plan_store import DraftReport, Store
from core.store.schema import (
    changes,
    conclusions,
    evaluations,
    events,
    measures,
    metadata,
    observations,
    plan_goals,
    plan_indicators,
    plan_subgoal_indicators,
    plan_subgoals,
    plans,
    schema_info,
    signin_failures,
)
from core.store.unit import UnitOfWork
from core.store.urls import shown_url, sqlite_file
from core.store.writes import Editor, plan_writable, require_editor

__all__ = [
    "BASELINE",
    "CONCLUSION_FIELDS",
    "EVALUATION_SCALE",
    "MAX_CONTACT",
    "MEASURE_EDITABLE",
    "OBSERVATION_KEY",
    "SCHEMA_VERSION",
    "STORE_PROBLEM_KEYS",
    "Conflict",
    "DraftReport",
    "ConflictError",
    "DatabaseError",
    "Editor",
    "EvaluationChange",
    "EventChange",
    "InvalidEdit",
    "MeasureEdit",
    "NotFound",
    "PermissionDenied",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "UnitOfWork",
    "changes",
    "clean_conclusion_values",
    "clean_evaluation_values",
    "clean_event_values",
    "clean_measure_values",
    "conclusions",
    "evaluations",
    "events",
    "field_label",
    "head_revision",
    "measures",
    "metadata",
    "observations",
    "parse_months",
    "plan_goals",
    "plan_indicators",
    "plan_subgoal_indicators",
    "plan_subgoals",
    "plan_writable",
    "require_editor",
    "plans",
    "schema_info",
    "shown_url",
    "signin_failures",
    "sqlite_file",
    "store_problem_key",
    "upgrade_schema",
]
