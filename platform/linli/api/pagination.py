"""Page windows for SQL: flask-smorest validates ``page >= 1`` but not an upper bound,
and an offset past 64 bits makes SQLite raise instead of returning nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from linli.api.problems import invalid

MAX_OFFSET = 2**53
T = TypeVar("T")


def window(pages: Any) -> tuple[int, int]:
    """``(offset, limit)`` of a page, or a 422 naming ``page`` when it is absurd."""
    if pages.first_item > MAX_OFFSET:
        raise invalid("query", "page", _l("The page number is too large."))
    return pages.first_item, pages.page_size


def paged(session: Session, query: Select[T], pages: Any, *order_by: Any) -> Sequence[T]:
    """One page of ``query`` (flask-smorest's pagination parameters) and the total for
    the ``X-Pagination`` header, in one round trip (a window count); only a page past
    the end needs a second query to learn the total."""
    offset, limit = window(pages)
    counted = query.add_columns(func.count().over()).order_by(*order_by)
    rows = session.execute(counted.offset(offset).limit(limit)).all()
    if rows:
        pages.item_count = rows[0][-1]
        return [row[0] for row in rows]
    pages.item_count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return []
