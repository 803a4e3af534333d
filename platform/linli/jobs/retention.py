"""Results are kept for a set time: finished jobs' records and files for 30 days,
uploads for 7 (long enough to retry an import, short enough not to hoard personal data)."""

from __future__ import annotations

import shutil
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from linli import db
from linli.db import utcnow
from linli.jobs import runner
from linli.jobs.models import DONE, JobRecord
from linli.tenancy.services import each_tenant

KEEP_RESULTS = timedelta(days=30)
KEEP_UPLOADS = timedelta(days=7)


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
