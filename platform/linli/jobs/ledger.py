"""Writing a job's row in the ledger, from the process that runs the job.

Each write names its row by ``(tenant_id, id)`` and runs in a transaction of its own
that carries the community's RLS setting (see :mod:`linli.db`), as a Core statement:
a session would only add its bookkeeping to every job.

A worker that runs jobs in its own process (``linli worker --no-fork``) defers the
outcomes of its jobs and sends them together: one transaction for a batch of outcomes,
at most ``FLUSH_AFTER`` seconds after the first, at once when the worker stops, and
before any other write to the ledger (so the writes of a row keep their order). One
transaction per job, with its commit waiting for the disk, cost short jobs more than
all of RQ's own work. A forking worker's job process, and a job run inline, write
their outcome at once: they keep nothing once the job is done.

``enqueue`` commits a row without waiting for the disk (:func:`linli.db.commit_relaxed`),
so a database crash may lose the rows of the jobs enqueued in its last moments; their
jobs are safe in Redis. The outcome of a job whose row is missing therefore inserts
the row again, from what the job carries (its :class:`Identity`).
"""

from __future__ import annotations

import functools
import os
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from itertools import groupby
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
import structlog
from flask import Flask
from sqlalchemy import Table, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.sql.elements import ClauseElement

from linli import db
from linli.jobs.backend import connection
from linli.jobs.metrics import Attempt, record_jobs
from linli.jobs.models import JobRecord, JobStatus
from linli.tenancy.context import TenantRef, require_tenant, tenant_context

log = structlog.get_logger(__name__)
LEDGER = cast(Table, JobRecord.__table__)
FLUSH_AFTER = 0.25  # seconds an outcome may wait for others to share its transaction
FLUSH_EVERY = 200  # outcomes in one transaction at most
RETRY_AFTER = 1.0  # seconds before sending again outcomes the database refused


class Identity(NamedTuple):
    """What a job's row holds from its enqueueing, carried by the job itself."""

    kind: str
    queue: str
    actor: str | None
    created_at: datetime


class Outcome(NamedTuple):
    tenant: TenantRef
    record_id: uuid.UUID
    values: dict[str, Any]
    identity: Identity | None  # None: the row cannot be missing (the job ran inline)


def write(record_id: uuid.UUID, values: dict[str, Any], identity: Identity | None = None) -> None:
    """Change the current tenant's row ``record_id`` now, visible at once to the API (and
    insert it again from ``identity`` if it is missing)."""
    _deferred.flush()
    tenant = require_tenant()
    statement = (
        update(LEDGER)
        .where(LEDGER.c.tenant_id == tenant.id, LEDGER.c.id == record_id)
        .values(**values)
    )
    with db.database().engine.begin() as transaction:
        if transaction.execute(statement).rowcount == 0 and identity is not None:
            _insert_missing(transaction, [Outcome(tenant, record_id, values, identity)])


def _insert_missing(transaction: Connection, outcomes: list[Outcome]) -> None:
    """Insert the rows of ``outcomes`` (of one community) that the database lost."""
    ids = [o.record_id for o in outcomes]
    tenant_id = outcomes[0].tenant.id
    present = set(
        transaction.scalars(
            select(LEDGER.c.id).where(LEDGER.c.tenant_id == tenant_id, LEDGER.c.id.in_(ids))
        )
    )
    rows = []
    for tenant, record_id, values, identity in outcomes:
        if record_id in present or identity is None:
            continue
        log.warning("job row was missing: written again", job=str(record_id))
        rows.append(
            {"tenant_id": tenant.id, "id": record_id, "status": JobStatus.QUEUED.value}
            | {"progress": 0, "attempts": 1, "idempotency_key": None}
            | identity._asdict()
            | {"updated_at": db.utcnow()}
            | {k: v for k, v in values.items() if not isinstance(v, ClauseElement)}
        )
    for row in rows:
        transaction.execute(insert(LEDGER).values(row))


class _Deferred:
    """The outcomes a worker process has not sent yet, and the sending of them.

    The process's :class:`Clock` sends them when they are due, ``FLUSH_AFTER`` after
    the first: most of a batch's time is the database's (its commit waits for the
    disk), and the clock's thread waits for it while the worker's thread goes on with
    its jobs. A full batch (``FLUSH_EVERY``) is sent at once by the thread that filled
    it.
    """

    def __init__(self) -> None:
        self.app: Flask | None = None
        self._lock = threading.Lock()  # guards the lists
        self._sending = threading.Lock()  # one batch at a time, in order
        self._rows: list[Outcome] = []
        self._attempts: list[Attempt] = []
        self._due: float | None = None

    def add(self, outcome: Outcome) -> bool:
        """Keep an outcome to send later; False when it must be written now (deferring is
        off in this process, or a value is an SQL expression, which cannot be batched)."""
        if self.app is None or any(isinstance(v, ClauseElement) for v in outcome.values.values()):
            return False
        now = time.monotonic()
        with self._lock:
            self._rows.append(outcome)
            first = self._due is None
            if first:
                self._due = now + FLUSH_AFTER
            full = len(self._rows) >= FLUSH_EVERY
        if full:
            self.flush()
        elif first:
            clock().wake()
        return True

    def count(self, attempt: Attempt) -> bool:
        """Keep an attempt's metrics with the outcomes; False when deferring is off."""
        if self.app is None:
            return False
        with self._lock:
            self._attempts.append(attempt)
        return True

    def due(self) -> float | None:
        """When the clock sends what is kept."""
        return self._due

    def flush(self) -> None:
        """Send what is kept (waiting for a batch being sent to be sent first)."""
        with self._sending:
            with self._lock:
                rows, attempts = self._rows, self._attempts
                self._rows, self._attempts, self._due = [], [], None
            if not rows and not attempts:
                return
            assert self.app is not None
            with self.app.app_context():
                try:
                    self._send(rows)
                except Exception:  # kept, and sent again: RQ has the outcomes meanwhile
                    log.exception("could not write job outcomes", outcomes=len(rows))
                    with self._lock:
                        self._rows[:0], self._attempts[:0] = rows, attempts
                        self._due = time.monotonic() + RETRY_AFTER
                    return
                record_jobs(connection(), attempts)

    @staticmethod
    def _send(outcomes: list[Outcome]) -> None:
        """One transaction per community (its RLS setting), one update per shape of
        outcome (the columns it sets) for all the outcomes of that shape."""

        def by_tenant(outcome: Outcome) -> int:
            return outcome.tenant.id

        engine = db.database().engine
        for _, of_tenant in groupby(sorted(outcomes, key=by_tenant), key=by_tenant):
            batch = list(of_tenant)
            tenant = batch[0].tenant
            with tenant_context(tenant), engine.begin() as transaction:
                for shape, same in groupby(batch, key=lambda o: tuple(sorted(o.values))):
                    group = list(same)
                    result = _update_batch(transaction, tenant.id, shape, group)
                    if result.rowcount != len(group):
                        _insert_missing(transaction, group)


def _update_batch(
    transaction: Connection, tenant_id: int, columns: tuple[str, ...], outcomes: list[Outcome]
) -> CursorResult[Any]:
    """Update ``columns`` of the tenant's rows of ``outcomes``. On PostgreSQL as one
    statement over arrays of the values (the server then runs one ``UPDATE``, not one per
    outcome, and its text depends only on ``columns``); elsewhere executed per row."""
    if transaction.dialect.name == "postgresql":
        arrays = {f"b_{c}": [o.values[c] for o in outcomes] for c in columns}
        arrays["b_id"] = [o.record_id for o in outcomes]
        return transaction.execute(_unnested_update(columns), {"b_tenant_id": tenant_id} | arrays)
    return transaction.execute(
        _batched_update(columns),
        [
            {"b_tenant_id": tenant_id, "b_id": o.record_id}
            | {f"b_{c}": v for c, v in o.values.items()}
            for o in outcomes
        ],
    )


@functools.cache
def _unnested_update(columns: tuple[str, ...]) -> Any:
    """``UPDATE`` of ``columns`` of the current tenant's rows, from one array of values
    per column (and one of ids), each bound as an array of its column's type (an array
    of NULLs only is then typed too)."""
    unnested = [
        sa.func.unnest(sa.bindparam(f"b_{c}", type_=ARRAY(LEDGER.c[c].type))).label(c)
        for c in ("id", *columns)
    ]
    rows = sa.select(*unnested).subquery("outcome")
    return (
        update(LEDGER)
        .where(LEDGER.c.tenant_id == sa.bindparam("b_tenant_id"), LEDGER.c.id == rows.c.id)
        .values({c: rows.c[c] for c in columns})
    )


@functools.cache
def _batched_update(columns: tuple[str, ...]) -> Any:
    """``UPDATE`` of ``columns`` of the current tenant's row, all values bound."""
    return (
        update(LEDGER)
        .where(
            LEDGER.c.tenant_id == sa.bindparam("b_tenant_id"), LEDGER.c.id == sa.bindparam("b_id")
        )
        .values({c: sa.bindparam(f"b_{c}", type_=LEDGER.c[c].type) for c in columns})
    )


_deferred = _Deferred()


def defer_outcomes(app: Flask) -> None:
    """From now on, this process's jobs' outcomes go out in batches (a worker that runs
    its jobs in-process calls it; :func:`flush` before it stops)."""
    _deferred.app = app


def defer(outcome: Outcome) -> bool:
    return _deferred.add(outcome)


def count(attempt: Attempt) -> bool:
    return _deferred.count(attempt)


def flush() -> None:
    _deferred.flush()


class Clock:
    """The one thread of a process that acts on time: it writes "started" for an attempt
    still running ``after`` seconds after it began, and sends deferred outcomes when
    their time has come.

    It sleeps until the nearest such deadline and is woken only when one appears while
    it has none, so a busy worker wakes it a few times a second, not once per job. A
    process runs its lazily started attempts one at a time (a worker's jobs), so it
    watches one attempt.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._watched: tuple[float, Callable[[], None]] | None = None
        self._idle = False
        threading.Thread(target=self._run, name="linli-job-clock", daemon=True).start()

    def watch(self, after: float, started: Callable[[], None]) -> None:
        """Call ``started`` after ``after`` seconds, unless another attempt is watched
        by then (``started`` itself skips an attempt that has ended)."""
        with self._changed:
            self._watched = (time.monotonic() + after, started)
            if self._idle:
                self._changed.notify()

    def wake(self) -> None:
        """Look again at the deadlines (deferred outcomes are due sooner)."""
        with self._changed:
            self._changed.notify()

    def _next(self) -> float | None:
        deadlines = [d for d in (self._watched and self._watched[0], _deferred.due()) if d]
        return min(deadlines, default=None)

    def _run(self) -> None:
        while True:
            with self._changed:
                deadline = self._next()
                while deadline is None or deadline > time.monotonic():
                    self._idle = deadline is None
                    self._changed.wait(None if deadline is None else deadline - time.monotonic())
                    deadline = self._next()
                self._idle = False
                watched, now = self._watched, time.monotonic()
                if watched is not None and watched[0] <= now:
                    self._watched = None
            if watched is not None and watched[0] <= now:
                try:
                    watched[1]()
                except Exception:  # the outcome still gets written; one row must not stop all
                    log.exception("could not record a job's start")
            due = _deferred.due()
            if due is not None and due <= time.monotonic():
                _deferred.flush()


_clocks: dict[int, Clock] = {}


def clock() -> Clock:
    """This process's clock (a forked job process starts its own: threads do not survive
    a fork, and a lock held at the fork would stay held)."""
    pid = os.getpid()
    found = _clocks.get(pid)
    if found is None:
        found = _clocks[pid] = Clock()
    return found
