"""Numbers given out one after another per community and year (a case's 第N号, a matter's
file number), without gaps or duplicates under concurrent writers."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from linli.tenancy.context import require_tenant


def next_in_year(session: Session, counter: type[Any], year: int) -> int:
    """The next number of ``year`` in the current community, race-free. ``counter`` is a
    tenant-owned model with ``year`` and ``last`` columns, unique on ``(tenant_id, year)``;
    the year's row is created if missing (a concurrent creator makes ours a no-op),
    then locked (``SELECT … FOR UPDATE``) until the transaction ends, so concurrent
    writers queue on it. SQLite serialises writers by itself."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(counter)
        .values(tenant_id=require_tenant().id, id=uuid.uuid4(), year=year, last=0)
        .on_conflict_do_nothing(index_elements=["tenant_id", "year"])
    )
    row = session.scalars(
        select(counter)
        .where(counter.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    row.last += 1
    session.flush()
    return int(row.last)
