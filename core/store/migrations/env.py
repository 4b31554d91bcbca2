"""Alembic environment of the store's migrations.

At runtime ``core.store.migrate`` passes an open connection (``config.attributes["connection"]``).
From the command line (``alembic -c core/store/alembic.ini …``) it connects to the store the app
would use: ``KYMLAPSET_DATABASE_URL`` or the default SQLite file in ``.local/``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from core.store.schema import metadata

config = context.config


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # the alembic command line
    from core.base import config as app_config

    url = str(app_config.get("database_url") or "") or app_config.default_sqlite_url()
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
