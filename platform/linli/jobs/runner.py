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

import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC
from typing import Any

import structlog
from flask import Flask, current_app, has_app_context
from rq import get_current_job
from rq.job import Job

from linli.audit.recorder import acting_as
from linli.db import utcnow
from linli.jobs import ledger
from linli.jobs.backend import connection
from linli.jobs.kinds import all_kinds
from linli.jobs.ledger import LEDGER as _LEDGER
from linli.jobs.metrics import Attempt, record_jobs
from linli.jobs.models import JobStatus
from linli.tenancy.context import TenantRef, tenant_context

log = structlog.get_logger(__name__)
_current: ContextVar[_Attempt | None] = ContextVar("linli_job", default=None)
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


class _Attempt:
    """One attempt of a job as its ledger row shows it.

    "Started" (with the attempt counted) is written only once the attempt has run for
    ``STARTED_AFTER`` seconds (by this process's :func:`ledger.clock`), or when the job
    reports progress or asks for its id (and may read its own row): a quick job thus
    writes its row once, with its outcome. Writes are serialised, and the outcome comes
    last.
    """

    def __init__(
        self,
        app: Flask,
        tenant: TenantRef,
        record_id: uuid.UUID,
        kind: str,
        actor: str | None,
        *,
        lazy: bool,
    ):
        self.app = app
        self.tenant = tenant
        self.record_id = record_id
        self.started_at = utcnow()
        job = get_current_job()  # here: RQ's current job is not seen from the clock
        self.number = _attempt_number(job)
        self.identity = (
            None
            if job is None or job.enqueued_at is None
            else ledger.Identity(kind, job.origin, actor, job.enqueued_at.replace(tzinfo=UTC))
        )
        self._lock = threading.Lock()
        self._started = False
        self._done = False
        if not lazy:
            self.ensure_started()
            return
        ledger.clock().watch(STARTED_AFTER, self.started_by_timer)

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
                ledger.write(self.record_id, self._start_values())

    def started_by_timer(self) -> None:
        if self._done:  # the usual case: a quick job, its row already written once
            return
        with self.app.app_context(), tenant_context(self.tenant):
            self.ensure_started()

    def progress(self, percent: int) -> None:
        with self._lock:
            ledger.write(self.record_id, {"progress": percent} | self._start_values())

    def end(self, counted: Attempt, **values: Any) -> None:
        """The attempt's last write: the outcome (if any) and, if not written yet, its
        start; deferred in a worker that batches them (see :mod:`linli.jobs.ledger`)."""
        with self._lock:
            self._done = True
            values = self._start_values() | values
            outcome = ledger.Outcome(self.tenant, self.record_id, values, self.identity)
            if values and not ledger.defer(outcome):
                ledger.write(self.record_id, values, self.identity)
        if not ledger.count(counted):
            record_jobs(connection(), [counted])


def _attempt_number(job: Job | None) -> int | None:
    """Which attempt this is, from RQ's own count of retries left: an attempt killed
    before its start was written (a pod killed within ``STARTED_AFTER``) still counts."""
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
            attempt = _Attempt(app, tenant, uuid.UUID(record_id), kind, actor, lazy=not inline)
        with _job_scope(attempt, actor):
            started = time.perf_counter()

            def counted(outcome: str) -> Attempt:
                return Attempt(kind, outcome, time.perf_counter() - started)

            try:
                result = all_kinds()[kind](*args, **kwargs)
            except JobFailed as exc:
                error = {"code": exc.code, "title": exc.message, "detail": exc.detail}
                attempt.end(
                    counted("failed"),
                    status=JobStatus.FAILED.value,
                    error=error,
                    finished_at=utcnow(),
                )
                return None
            except Exception as exc:
                log.warning("job attempt failed", job=record_id, kind=kind, error=repr(exc))
                attempt.end(counted("error"))
                if inline:
                    _mark_failed(attempt.record_id, exc)
                    return None
                raise
            attempt.end(
                counted("finished"),
                status=JobStatus.FINISHED.value,
                progress=100,
                result=result,
                finished_at=utcnow(),
            )
            return result


def _mark_failed(record_id: uuid.UUID, exc: BaseException | None) -> None:
    error = {"code": "job_error", "title": "The job failed", "detail": type(exc).__name__}
    ledger.write(
        record_id, {"status": JobStatus.FAILED.value, "error": error, "finished_at": utcnow()}
    )


def on_failure(job: Any, connection: Any, exc_type: Any, exc: Any, traceback: Any) -> None:
    """RQ failure callback (also for abandoned jobs): retrying, or failed for good."""
    meta = job.meta
    app = worker_app()
    with app.app_context(), tenant_context(TenantRef(meta["tenant_id"], meta["tenant_slug"])):
        record_id = uuid.UUID(job.id)
        if job.retries_left:
            ledger.write(record_id, {"status": JobStatus.RETRYING.value})
        else:
            _mark_failed(record_id, exc)
