"""Results are kept for a set time: finished jobs' records and files for 30 days,
uploads for 7 (long enough to retry an import, short enough not to hoard personal data).

And no row waits forever: a row still "queued", "started" or "retrying" whose job RQ no
longer holds (Redis lost it) or has ended (its worker died before writing the outcome)
is settled from what RQ knows.
"""

from __future__ import annotations

import shutil
from datetime import UTC, timedelta
from typing import Any

from flask import current_app
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.job import JobStatus as RQStatus
from sqlalchemy import delete, select

from linli import db
from linli.db import utcnow
from linli.jobs import runner
from linli.jobs.backend import connection
from linli.jobs.models import DONE, JobRecord, JobStatus
from linli.tenancy.services import each_tenant

KEEP_RESULTS = timedelta(days=30)
KEEP_UPLOADS = timedelta(days=7)
#: How old a row must be before it is compared with RQ: much longer than the moments
#: between a row's commit and its job reaching Redis, or an outcome and its batch.
SETTLE_AFTER = timedelta(minutes=10)
LOST = {"code": "job_lost", "title": "The job was lost by the job queue; start it again"}


def purge_old_results() -> dict[str, int]:
    """What RQ runs daily from ``linli scheduler``."""
    with runner.worker_app().app_context():
        instance = current_app.config["LINLI"].instance_path
        cutoff, removed = utcnow() - KEEP_RESULTS, 0
        for tenant in each_tenant(db.session()):
            with db.database().session_scope() as s:
                old = select(JobRecord.id).where(
                    JobRecord.finished_at < cutoff, JobRecord.status.in_([d.value for d in DONE])
                )
                for record_id in s.scalars(old).all():
                    shutil.rmtree(instance / "job-results" / str(tenant.id) / str(record_id), True)
                    removed += 1
                s.execute(delete(JobRecord).where(JobRecord.id.in_(old)))
        uploads = 0
        oldest = (utcnow() - KEEP_UPLOADS).timestamp()
        for path in (instance / "uploads").glob("*/*"):
            if path.is_file() and path.stat().st_mtime < oldest:
                path.unlink()
                uploads += 1
    return {"jobs": removed, "uploads": uploads}


def settle_stale_jobs() -> dict[str, int]:
    """What RQ runs every ten minutes from ``linli scheduler``."""
    with runner.worker_app().app_context():
        redis = connection()
        if redis is None:
            return {"settled": 0}
        waiting = [s.value for s in JobStatus if s not in DONE]
        cutoff, settled = utcnow() - SETTLE_AFTER, 0
        for _ in each_tenant(db.session()):
            with db.database().session_scope() as session:
                query = select(JobRecord).where(
                    JobRecord.status.in_(waiting), JobRecord.created_at < cutoff
                )
                for record in session.scalars(query):
                    values = _settled(redis, str(record.id))
                    if values:
                        for name, value in values.items():
                            setattr(record, name, value)
                        settled += 1
    return {"settled": settled}


def _settled(redis: Any, job_id: str) -> dict[str, Any] | None:
    """The final state of a row from RQ's job, or None while RQ still has it to do."""
    try:
        job = Job.fetch(job_id, connection=redis)
    except NoSuchJobError:
        return {"status": JobStatus.FAILED.value, "error": LOST, "finished_at": utcnow()}
    status = job.get_status(refresh=False)
    ended = {"finished_at": job.ended_at.replace(tzinfo=UTC) if job.ended_at else utcnow()}
    if status == RQStatus.FINISHED:
        finished = {"status": JobStatus.FINISHED.value, "progress": 100}
        return finished | {"result": job.return_value()} | ended
    if status in (RQStatus.FAILED, RQStatus.STOPPED):
        error = {"code": "job_error", "title": "The job failed", "detail": status.value}
        return {"status": JobStatus.FAILED.value, "error": error} | ended
    if status == RQStatus.CANCELED:
        return {"status": JobStatus.CANCELED.value} | ended
    return None
