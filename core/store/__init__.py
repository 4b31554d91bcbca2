"""The store: the only code that imports SQLAlchemy and talks to the database.

- ``schema``  the tables (SQLAlchemy Core)
- ``store``   ``Store`` (reads, checked writes with history and versions), ``UnitOfWork``
              (``with store.transaction() as uow:`` for import, restore and seed), the errors
- ``migrate`` Alembic migrations (``migrations/``), run when a store opens
- ``testing`` a throw-away PostgreSQL schema for tests

``core.storage`` re-exports all of it for older imports.
"""

from core.store.conclusions import CONCLUSION_FIELDS, clean_conclusion_values
from core.store.migrate import BASELINE, head_revision, upgrade_schema
from core.store.schema import (
    changes,
    conclusions,
    evaluations,
    events,
    measures,
    metadata,
    observations,
    schema_info,
    signin_failures,
)
from core.store.store import (
    EVALUATION_SCALE,
    MAX_CONTACT,
    MEASURE_EDITABLE,
    OBSERVATION_KEY,
    SCHEMA_VERSION,
    STORE_PROBLEM_KEYS,
    Conflict,
    ConflictError,
    DatabaseError,
    Editor,
    EvaluationChange,
    EventChange,
    InvalidEdit,
    MeasureEdit,
    NotFound,
    PermissionDenied,
    Store,
    StoreError,
    StoreUnavailable,
    UnitOfWork,
    clean_evaluation_values,
    clean_event_values,
    clean_measure_values,
    field_label,
    parse_months,
    shown_url,
    sqlite_file,
    store_problem_key,
)

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
    "schema_info",
    "shown_url",
    "signin_failures",
    "sqlite_file",
    "store_problem_key",
    "upgrade_schema",
]
