"""For tests: a throw-away PostgreSQL schema, so a test never needs SQLAlchemy itself."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def url_in_schema(url: str, schema: str) -> str:
    """``url`` with every connection's ``search_path`` set to ``schema`` (libpq ``options``)."""
    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


def read_only_url(url: str) -> str:
    """``url`` with every transaction read-only (as for a PostgreSQL user who may only read)."""
    parsed = make_url(url)
    options = " ".join(filter(None, [str(parsed.query.get("options") or ""), "-cdefault_transaction_read_only=on"]))
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


@contextlib.contextmanager
def postgres_schema(url: str, prefix: str = "t") -> Iterator[str]:
    """Create an empty schema on the PostgreSQL server at ``url``; yield a URL whose connections use
    it; drop it (and everything in it) afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield url_in_schema(url, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def schema_differences(store_url: str) -> list:
    """What differs between the tables in ``core.store.schema`` and the database at ``store_url``
    (Alembic's autogenerate comparison; empty when they agree)."""
    from alembic.autogenerate import compare_metadata  # noqa: PLC0415
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415

    from core.store.schema import metadata  # noqa: PLC0415

    engine = create_engine(store_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(ctx, metadata)
    finally:
        engine.dispose()


def table_names(store_url: str) -> set[str]:
    """The tables in the database at ``store_url`` (its current schema)."""
    from sqlalchemy import inspect  # noqa: PLC0415

    engine = create_engine(store_url)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
