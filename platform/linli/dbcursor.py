"""A psycopg cursor whose ``description`` is built when it is read, not when it is asked for.

SQLAlchemy asks every cursor for ``description`` after each statement, but for a
statement it has run before (nearly all of them: its compiled cache keeps the result
columns) it only looks at whether it is ``None``. psycopg builds a ``Column`` object per
result column for it, with a type lookup each: about 6 % of an API request's CPU (the
caller's token, user and community are some 35 columns). Here the list is built on
first use, from the result it describes even if the cursor has run something since.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from types import SimpleNamespace
from typing import Any, overload

import psycopg
from psycopg import pq

_ROWS = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.SINGLE_TUPLE, pq.ExecStatus.TUPLES_CHUNK)


class LazyDescription(Sequence[psycopg.Column]):
    """``cursor.description`` of one result, built on first use."""

    __slots__ = ("_columns", "_cursor", "_result")

    def __init__(self, cursor: psycopg.Cursor[Any], result: pq.abc.PGresult) -> None:
        self._cursor: psycopg.Cursor[Any] | None = cursor
        self._result = result
        self._columns: list[psycopg.Column] | None = None

    def _built(self) -> list[psycopg.Column]:
        if self._columns is None:
            cursor, result = self._cursor, self._result
            assert cursor is not None
            if cursor.pgresult is not result:  # the cursor has moved on: describe ours
                cursor = SimpleNamespace(  # type: ignore[assignment]
                    pgresult=result, _encoding=cursor._encoding, adapters=cursor.adapters
                )
            self._columns = [psycopg.Column(cursor, i) for i in range(result.nfields)]
            self._cursor = None
        return self._columns

    def __len__(self) -> int:
        return self._result.nfields

    @overload
    def __getitem__(self, index: int) -> psycopg.Column: ...
    @overload
    def __getitem__(self, index: slice) -> list[psycopg.Column]: ...
    def __getitem__(self, index: int | slice) -> psycopg.Column | list[psycopg.Column]:
        return self._built()[index]

    def __iter__(self) -> Iterator[psycopg.Column]:
        return iter(self._built())

    def __eq__(self, other: object) -> bool:
        return list(self) == other

    __hash__ = None  # type: ignore[assignment]  # a list's equality, a list's hash

    def __repr__(self) -> str:
        return repr(self._built())


class LinliCursor(psycopg.Cursor[Any]):
    """psycopg's cursor, with the lazy ``description``."""

    __slots__ = ()

    @property
    def description(self) -> Sequence[psycopg.Column] | None:  # type: ignore[override]
        result = self.pgresult
        if result and (result.nfields or result.status in _ROWS):
            return LazyDescription(self, result)
        return None
