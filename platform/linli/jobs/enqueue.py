"""``enqueue``: the one way the core and plugins start background work.

The job's record is committed first (so a worker always finds it), then the job goes
to RQ carrying the community, the acting user and the record id. Without Redis
(embedded mode) the job runs inline, right away, through the same runner. An
idempotency key makes a second enqueue with the same key return the first job.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from redis.client import Pipeline
from redis.exceptions import RedisError
from rq import Callback, Queue, Retry
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from linli import db
from linli.audit.recorder import current_actor
from linli.db import utcnow
from linli.jobs import backend, ledger, runner
from linli.jobs.kinds import kind_of
from linli.jobs.ledger import LEDGER
from linli.jobs.models import JobRecord, JobStatus
from linli.tenancy.context import TenantRef, require_tenant, tenant_context

DEFAULT_RETRY = Retry(max=3, interval=[10, 60, 300])
RESULT_TTL = 7 * 24 * 3600


def _existing(key: str) -> JobRecord | None:
    query = select(JobRecord).where(JobRecord.idempotency_key == key)
    return db.session().scalars(query).one_or_none()


def _record(
    tenant: TenantRef,
    record_id: uuid.UUID,
    kind: str,
    queue: str,
    actor: str | None,
    key: str | None,
    meanwhile: Callable[[], object] | None,
) -> tuple[JobRecord, bool]:
    """Insert and commit a new record, or find the job that already used ``key``.

    What the caller's session holds is committed first, so the job finds it. The row
    itself is inserted in a transaction of its own (as the ledger's other writes), in
    one round trip, during which ``meanwhile`` runs: the record returned is built from
    the same values, not loaded.
    """
    session = db.session()
    if key is not None and (found := _existing(key)) is not None:
        return found, False
    if session.in_transaction():
        session.commit()
    now = utcnow()
    values = {
        "tenant_id": tenant.id,
        "id": record_id,
        "kind": kind,
        "queue": queue,
        "status": JobStatus.QUEUED.value,
        "progress": 0,
        "attempts": 0,
        "actor": actor,
        "idempotency_key": key,
        "created_at": now,
        "updated_at": now,
    }
    try:
        # without a key, a row a crash loses is written again by its job (see
        # linli.jobs.ledger); a key must hold: "the same key twice, one effect"
        db.insert_now(LEDGER, values, relaxed=key is None, meanwhile=meanwhile)
    except IntegrityError:  # the same key, enqueued concurrently
        found = _existing(key) if key is not None else None
        if found is None:
            raise
        return found, False
    return JobRecord(**values), True


def enqueue(
    fn: Callable[..., Any] | str,
    *args: Any,
    tenant: TenantRef | None = None,
    user: str | None = None,
    idempotency_key: str | None = None,
    retry: Retry | None = DEFAULT_RETRY,
    queue: str = "default",
    timeout: int = 600,
    **kwargs: Any,
) -> JobRecord:
    """Run registered job ``fn(*args, **kwargs)`` in the background for ``tenant``.

    ``tenant`` defaults to the current one and ``user`` to the current actor. Arguments
    must be JSON-like (they cross to the worker). Raises a 503 problem if Redis is
    configured but down; the record then says so and nothing runs.
    """
    kind = kind_of(fn)
    ref = tenant or require_tenant()
    actor = user if user is not None else current_actor()
    record_id = uuid.uuid4()
    call = (str(record_id), ref.id, ref.slug, actor, kind, list(args), dict(kwargs))
    with tenant_context(ref):
        redis = backend.connection()
        if redis is None:
            record, created = _record(ref, record_id, kind, queue, actor, idempotency_key, None)
            if created:
                runner.execute(*call, inline=True)
                return db.session().get_one(JobRecord, (ref.id, record_id))
            return record
        # RQ's job is built while PostgreSQL commits its row, and sent (one round trip:
        # the job and the queue's registration together) only once the row is committed
        with redis.pipeline() as pipeline:
            target = backend.queue(queue, redis)

            def prepare() -> None:
                _send(target, call, record_id, ref, retry, timeout, pipeline)

            try:
                record, created = _record(
                    ref, record_id, kind, queue, actor, idempotency_key, prepare
                )
                if created:
                    pipeline.execute()
            except RedisError as exc:
                unreachable = {"code": "jobs_unavailable", "title": "The job queue was unreachable"}
                ledger.write(
                    record_id,
                    {
                        "status": JobStatus.FAILED.value,
                        "error": unreachable,
                        "finished_at": utcnow(),
                    },
                )
                raise backend.unavailable() from exc
    return record


def _send(
    queue: Queue,
    call: tuple[Any, ...],
    record_id: uuid.UUID,
    ref: TenantRef,
    retry: Retry | None,
    timeout: int,
    pipeline: Pipeline,
) -> None:
    queue.enqueue(
        runner.execute,
        *call,
        job_id=str(record_id),
        retry=retry,
        job_timeout=timeout,
        result_ttl=RESULT_TTL,
        failure_ttl=RESULT_TTL,
        on_failure=Callback(runner.on_failure),
        meta={
            "tenant_id": ref.id,
            "tenant_slug": ref.slug,
            "retries": retry.max if retry else 0,
        },
        pipeline=pipeline,
    )
