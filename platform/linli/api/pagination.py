"""Page windows for SQL: flask-smorest validates ``page >= 1`` but not an upper bound,
and an offset past 64 bits makes SQLite raise instead of returning nothing."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from flask_smorest.pagination import PaginationParameters
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from linli.api.problems import invalid

MAX_OFFSET = 2**53
T = TypeVar("T")


def window(pages: Any) -> tuple[int, int]:
    """``(offset, limit)`` of a page, or a 422 naming ``page`` when it is absurd."""
    if pages.first_item > MAX_OFFSET:
        raise invalid("query", "page", _l("The page number is too large."))
    return pages.first_item, pages.page_size


# A page query built once per listing query: prebuilt listing queries (module level)
# then keep one statement whose cache key is computed once, not on every request.
_pages: weakref.WeakKeyDictionary[Select[Any], Select[Any]] = weakref.WeakKeyDictionary()


def _page_of(query: Select[Any]) -> Select[Any]:
    page = _pages.get(query)
    if page is None:
        page = (
            query.add_columns(func.count().over())
            .offset(bindparam("page_offset"))
            .limit(bindparam("page_limit"))
        )
        _pages[query] = page
    return page


def paged(session: Session, query: Select[T], pages: Any, *order_by: Any) -> Sequence[T]:
    """One page of ``query`` (ordered by ``order_by``, or already by the caller: a query
    built once at import keeps its page statement cached; flask-smorest's pagination
    parameters) and the total for the ``X-Pagination`` header, in one round trip (a
    window count); only a page past the end needs a second query to learn the total."""
    if order_by:
        query = query.order_by(*order_by)
    offset, limit = window(pages)
    rows = session.execute(_page_of(query), {"page_offset": offset, "page_limit": limit}).all()
    if rows:
        pages.item_count = rows[0][-1]
        return [row[0] for row in rows]
    pages.item_count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return []


def page_of(
    session: Session, query: Select[T], page: int, size: int, *order_by: Any
) -> tuple[Sequence[T], int]:
    """One page of a console listing (``page`` from 1) and how many pages there are."""
    pages = PaginationParameters(max(page, 1), size)
    rows = paged(session, query, pages, *order_by)
    return rows, max(1, -(-pages.item_count // size))
