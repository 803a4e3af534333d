"""What the app's PostgreSQL connections send, round trip by round trip (libpq's trace)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from psycopg import pq
from sqlalchemy import Engine, event

#: The frontend messages after which the client waits for the server's answer.
_ANSWERED = frozenset({"Sync", "Query"})


@dataclass
class Wire:
    #: Each round trip: the frontend messages (a simple query with its text,
    #: ``"Query BEGIN; …"``) up to the one the client then waits on.
    trips: list[list[str]] = field(default_factory=list)
    #: How many times a connection was taken from the pool.
    checkouts: int = 0


@contextmanager
def wire(engine: Engine, trace: Path) -> Iterator[Wire]:
    """What ``engine``'s connections checked out in the block sent, filled in when it ends."""
    seen = Wire()
    with trace.open("w") as out:

        def checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
            seen.checkouts += 1
            dbapi_connection.pgconn.trace(out.fileno())
            dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)

        def checkin(dbapi_connection: Any, _record: Any) -> None:
            if dbapi_connection is not None:
                dbapi_connection.pgconn.untrace()

        event.listen(engine, "checkout", checkout)
        event.listen(engine, "checkin", checkin)
        try:
            yield seen
        finally:
            event.remove(engine, "checkout", checkout)
            event.remove(engine, "checkin", checkin)
    sent: list[str] = []
    for line in trace.read_text().splitlines():
        direction, _length, kind, *rest = [*line.split("\t"), "", ""]
        if direction != "F":
            continue  # the server's messages, and the rest of a value with a newline
        sent.append(f"Query {rest[0].strip()[1:-1]}" if kind == "Query" else kind)
        if kind in _ANSWERED:
            seen.trips.append(sent)
            sent = []
