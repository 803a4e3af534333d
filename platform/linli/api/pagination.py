"""Page windows for SQL: flask-smorest validates ``page >= 1`` but not an upper bound,
and an offset past 64 bits makes SQLite raise instead of returning nothing."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from linli.api.problems import Problem

MAX_OFFSET = 2**53


def window(pages: Any) -> tuple[int, int]:
    """``(offset, limit)`` of a page, or a 422 naming ``page`` when it is absurd."""
    if pages.first_item > MAX_OFFSET:
        raise Problem(
            422,
            "validation_failed",
            _l("The submitted data is not valid"),
            errors={"query": {"page": [str(_l("The page number is too large."))]}},
        )
    return pages.first_item, pages.page_size
