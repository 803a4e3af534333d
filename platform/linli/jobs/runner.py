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
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import structlog
from flask import Flask, current_app, has_app_context
from sqlalchemy import update

from linli import db
from linli.audit.recorder import acting_as
from linli.db import utcnow
from linli.jobs.backend import connection
from linli.jobs.kinds import all_kinds
from linli.jobs.metrics import record_job
from linli.jobs.models import JobRecord, JobStatus
from linli.tenancy.context import TenantRef, tenant_context

log = structlog.get_logger(__name__)
_current: ContextVar[uuid.UUID | None] = ContextVar("linli_job", default=None)
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


def _update(record_id: uuid.UUID, *, new_attempt: bool = False, **values: Any) -> None:
    """Change the record in a transaction of its own (one UPDATE), visible at once to
    the API."""
    if new_attempt:
        values["attempts"] = JobRecord.attempts + 1
    with db.database().session_scope() as session:
        session.execute(update(JobRecord).where(JobRecord.id == record_id).values(**values))


def current_job_id() -> uuid.UUID:
    """The id of the job running now (for the files it writes)."""
    record_id = _current.get()
    if record_id is None:
        raise RuntimeError("not inside a job")
    return record_id


def progress(percent: int) -> None:
    """Report how far the running job is (0–100); a no-op outside a job."""
    record_id = _current.get()
    if record_id is not None:
        _update(record_id, progress=max(0, min(100, int(percent))))


@contextmanager
def _job_scope(tenant: TenantRef, actor: str | None, record_id: uuid.UUID) -> Iterator[None]:
    token = _current.set(record_id)
    try:
        with tenant_context(tenant), acting_as(actor):
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
        rid = uuid.UUID(record_id)
        with _job_scope(TenantRef(tenant_id, tenant_slug), actor, rid):
            _update(rid, status=JobStatus.STARTED.value, started_at=utcnow(), new_attempt=True)
            started = time.perf_counter()
            try:
                result = all_kinds()[kind](*args, **kwargs)
            except JobFailed as exc:
                error = {"code": exc.code, "title": exc.message, "detail": exc.detail}
                _update(rid, status=JobStatus.FAILED.value, error=error, finished_at=utcnow())
                record_job(connection(), kind, "failed", time.perf_counter() - started)
                return None
            except Exception as exc:
                log.warning("job attempt failed", job=record_id, kind=kind, error=repr(exc))
                record_job(connection(), kind, "error", time.perf_counter() - started)
                if inline:
                    _mark_failed(rid, exc)
                    return None
                raise
            record_job(connection(), kind, "finished", time.perf_counter() - started)
            _update(
                rid,
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
