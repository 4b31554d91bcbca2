"""What the store's reads share: a query's rows as a DataFrame, and the rows of one plan."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Select, Table, select
from sqlalchemy.engine import Engine


def frame(engine: Engine, query: Select, table: Table) -> pd.DataFrame:
    """The rows of ``query`` over ``table`` as a DataFrame with the table's columns (also when there are none)."""
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=[c.name for c in table.columns])


def plan_query(table: Table, key: str, plan_id: str | None, include_deleted: bool) -> Select:
    """The rows of one plan (every plan's for None), by ``key``; removed ones only when asked."""
    q = select(table).order_by(table.c[key])
    if plan_id is not None:
        q = q.where(table.c.plan_id == plan_id)
    if not include_deleted:
        q = q.where(table.c.deleted.is_(False))
    return q
