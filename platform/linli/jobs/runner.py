"""Running one job, in a worker process or inline, inside its community's context.

RQ calls :func:`execute` with the job's record id and community; the runner restores
the app, the tenant context (and with it the PostgreSQL RLS setting of every
transaction) and the acting user, then calls the registered job function. The job's
record follows along: started, progress, finished (with the result) or failed.

A job function raises :class:`JobFailed` for a failure that retrying cannot fix (bad
input): the record says why and RQ does not retry. Any other exception is transient:
RQ retries with back-off while retries are left.
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

import structlog
from flask import Flask, current_app, has_app_context
from rq import get_current_job
from sqlalchemy import Table, update

from linli import db
from linli.audit.recorder import acting_as
from linli.db import utcnow
from linli.jobs.backend import connection
from linli.jobs.kinds import all_kinds
from linli.jobs.metrics import record_job
from linli.jobs.models import JobRecord, JobStatus
from linli.tenancy.context import TenantRef, require_tenant, tenant_context

log = structlog.get_logger(__name__)
_current: ContextVar[_Attempt | None] = ContextVar("linli_job", default=None)
_LEDGER = cast(Table, JobRecord.__table__)
STARTED_AFTER = 0.5  # seconds a job runs before its row says "started" (see _Attempt)
_app: Flask | None = None


class JobFailed(Exception):
    """A permanent failure: recorded with its code and message, never retried."""

    def __init__(self, code: str, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail


def use_app(app: Flask) -> None:
    """The app a worker process runs jobs with (``linli worker`` sets it)."""
    global _app
    _app = app
    os.register_at_fork(after_in_child=_dispose_inherited_connections)


def _dispose_inherited_connections() -> None:
    """A forked job must not share the parent's database sockets."""
    if _app is not None:
        _app.extensions["linli.db"].engine.dispose(close=False)


def worker_app() -> Flask:
    """The app to run jobs with: the current one, the worker's, or a new one."""
    global _app
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]
    if _app is None:
        from linli.app import create_app

        _app = create_app()
    return _app


def _update(record_id: uuid.UUID, **values: Any) -> None:
    """Change the current tenant's record in a transaction of its own (one UPDATE on
    the table, its full key in the WHERE), visible at once to the API.

    A Core statement on a connection, no ORM session: the engine's transactions carry
    the tenant's RLS setting from their BEGIN (see :mod:`linli.db`) either way, and a
    session would only add its bookkeeping to every job.
    """
    table = _LEDGER
    statement = (
        update(table)
        .where(table.c.tenant_id == require_tenant().id, table.c.id == record_id)
        .values(**values)
    )
    with db.database().engine.begin() as connection:
        connection.execute(statement)


class _StartedWriter:
    """The one thread per process that writes "started" for attempts that run long.

    A thread per attempt (``threading.Timer``) cost two thread switches per job, its
    start and its join: on a busy machine several milliseconds each, more than the job
    machinery itself. Here an attempt is a deadline in a heap; one that has ended by
    then is skipped (:meth:`_Attempt.ensure_started` checks under the attempt's lock).
    """

    def __init__(self) -> None:
        self._due: list[tuple[float, int, _Attempt]] = []
        self._order = itertools.count()
        self._changed = threading.Condition()
        threading.Thread(target=self._run, name="linli-job-started", daemon=True).start()

    def add(self, attempt: _Attempt, after: float) -> None:
        with self._changed:
            heapq.heappush(self._due, (time.monotonic() + after, next(self._order), attempt))
            self._changed.notify()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._due or self._due[0][0] > time.monotonic():
                    self._changed.wait(self._due[0][0] - time.monotonic() if self._due else None)
                attempt = heapq.heappop(self._due)[2]
            try:
                attempt.started_by_timer()
            except Exception:  # the outcome still gets written; one row must not stop all
                log.exception("could not record a job's start", job=str(attempt.record_id))


_writers: dict[int, _StartedWriter] = {}


def _started_writer() -> _StartedWriter:
    """This process's writer (a forked job process starts its own: threads do not
    survive a fork, and a lock held at the fork would stay held)."""
    pid = os.getpid()
    writer = _writers.get(pid)
    if writer is None:
        writer = _writers[pid] = _StartedWriter()
    return writer


class _Attempt:
    """One attempt of a job as its ledger row shows it.

    "Started" (with the attempt counted) is written only once the attempt has run for
    ``STARTED_AFTER`` seconds (by :class:`_StartedWriter`), or when the job reports
    progress or asks for its id (and may read its own row): a quick job thus writes its
    row once, with its outcome. Writes are serialised, and the outcome comes last.
    """

    def __init__(self, app: Flask, tenant: TenantRef, record_id: uuid.UUID, *, lazy: bool):
        self.app = app
        self.tenant = tenant
        self.record_id = record_id
        self.started_at = utcnow()
        self.number = _attempt_number()  # here: RQ's current job is not seen from the timer
        self._lock = threading.Lock()
        self._started = False
        self._done = False
        if not lazy:
            self.ensure_started()
            return
        _started_writer().add(self, STARTED_AFTER)

    def _start_values(self) -> dict[str, Any]:
        if self._started:
            return {}
        self._started = True
        return {
            "status": JobStatus.STARTED.value,
            "started_at": self.started_at,
            "attempts": self.number or _LEDGER.c.attempts + 1,
        }

    def ensure_started(self) -> None:
        with self._lock:
            if not self._started and not self._done:
                _update(self.record_id, **self._start_values())

    def started_by_timer(self) -> None:
        if self._done:  # the usual case: a quick job, its row already written once
            return
        with self.app.app_context(), tenant_context(self.tenant):
            self.ensure_started()

    def progress(self, percent: int) -> None:
        with self._lock:
            _update(self.record_id, progress=percent, **self._start_values())

    def end(self, **values: Any) -> None:
        """The attempt's last write: the outcome (if any) and, if not written yet, its
        start."""
        with self._lock:
            self._done = True
            values = self._start_values() | values
            if values:
                _update(self.record_id, **values)


def _attempt_number() -> int | None:
    """Which attempt this is, from RQ's own count of retries left: an attempt killed
    before its start was written (a pod killed within ``STARTED_AFTER``) still counts."""
    job = get_current_job()
    if job is None or "retries" not in job.meta:
        return None
    return int(job.meta["retries"]) - (job.retries_left or 0) + 1


def current_job_id() -> uuid.UUID:
    """The id of the job running now (for the files it writes, or its own row, which is
    brought up to date first)."""
    attempt = _current.get()
    if attempt is None:
        raise RuntimeError("not inside a job")
    attempt.ensure_started()
    return attempt.record_id


def progress(percent: int) -> None:
    """Report how far the running job is (0–100); a no-op outside a job."""
    attempt = _current.get()
    if attempt is not None:
        attempt.progress(max(0, min(100, int(percent))))


@contextmanager
def _job_scope(attempt: _Attempt, actor: str | None) -> Iterator[None]:
    token = _current.set(attempt)
    try:
        with tenant_context(attempt.tenant), acting_as(actor):
            yield
    finally:
        _current.reset(token)


def execute(
    record_id: str,
    tenant_id: int,
    tenant_slug: str,
    actor: str | None,
    kind: str,
    args: list[Any],
    kwargs: dict[str, Any],
    *,
    inline: bool = False,
) -> Any:
    """Run job ``record_id`` (what RQ calls); re-raises transient errors for RQ's retry."""
    app = worker_app()
    with app.app_context():
        tenant = TenantRef(tenant_id, tenant_slug)
        with tenant_context(tenant):
            attempt = _Attempt(app, tenant, uuid.UUID(record_id), lazy=not inline)
        with _job_scope(attempt, actor):
            started = time.perf_counter()
            try:
                result = all_kinds()[kind](*args, **kwargs)
            except JobFailed as exc:
                error = {"code": exc.code, "title": exc.message, "detail": exc.detail}
                attempt.end(status=JobStatus.FAILED.value, error=error, finished_at=utcnow())
                record_job(connection(), kind, "failed", time.perf_counter() - started)
                return None
            except Exception as exc:
                log.warning("job attempt failed", job=record_id, kind=kind, error=repr(exc))
                record_job(connection(), kind, "error", time.perf_counter() - started)
                attempt.end()
                if inline:
                    _mark_failed(attempt.record_id, exc)
                    return None
                raise
            record_job(connection(), kind, "finished", time.perf_counter() - started)
            attempt.end(
                status=JobStatus.FINISHED.value,
                progress=100,
                result=result,
                finished_at=utcnow(),
            )
            return result


def _mark_failed(record_id: uuid.UUID, exc: BaseException | None) -> None:
    error = {"code": "job_error", "title": "The job failed", "detail": type(exc).__name__}
    _update(record_id, status=JobStatus.FAILED.value, error=error, finished_at=utcnow())


def on_failure(job: Any, connection: Any, exc_type: Any, exc: Any, traceback: Any) -> None:
    """RQ failure callback (also for abandoned jobs): retrying, or failed for good."""
    meta = job.meta
    app = worker_app()
    with app.app_context(), tenant_context(TenantRef(meta["tenant_id"], meta["tenant_slug"])):
        record_id = uuid.UUID(job.id)
        if job.retries_left:
            _update(record_id, status=JobStatus.RETRYING.value)
        else:
            _mark_failed(record_id, exc)
