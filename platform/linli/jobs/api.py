"""Job status API: ``/api/v1/t/<slug>/jobs`` (this community's jobs only).

Every endpoint here needs the queue: when Redis is configured but down they answer
503 ``jobs_unavailable`` while the rest of the API keeps serving.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select

from linli import db
from linli.api.pagination import paged
from linli.api.problems import Problem
from linli.api.smorest import file_download
from linli.api.tenant_api import tenant_blueprint, tenant_row_or_404
from linli.identity.permissions import JOBS_MANAGE, JOBS_READ, TENANT_EXPORT, require
from linli.jobs import backend
from linli.jobs.enqueue import enqueue
from linli.jobs.files import result_file
from linli.jobs.models import JobRecord, JobStatus
from linli.jobs.schemas import JobListArgs, JobOut
from linli.tenancy.export_job import export_archive

blp = tenant_blueprint("jobs", __name__, description="Background jobs of the community")


@blp.before_request
def _queue_reachable() -> None:
    backend.require_reachable()


@blp.route("/jobs")
class Jobs(MethodView):
    @require(JOBS_READ)
    @blp.arguments(JobListArgs, location="query")
    @blp.response(200, JobOut(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Sequence[JobRecord]:
        """Recent jobs of this community, newest first (``status=failed``: the failed ones)"""
        query = select(JobRecord)
        if "status" in args:
            query = query.where(JobRecord.status == args["status"])
        query = query.order_by(JobRecord.created_at.desc())
        return paged(db.session(), query, pagination_parameters)


@blp.route("/jobs/<uuid:job_id>")
class JobItem(MethodView):
    @require(JOBS_READ)
    @blp.response(200, JobOut)
    def get(self, job_id: uuid.UUID) -> JobRecord:
        """A job's status, progress, result link or problem"""
        return tenant_row_or_404(JobRecord, job_id)


@blp.route("/jobs/<uuid:job_id>/cancel", methods=["POST"])
@require(JOBS_MANAGE)
@blp.response(200, JobOut)
def cancel(job_id: uuid.UUID) -> JobRecord:
    """Cancel a job that has not started yet"""
    record = tenant_row_or_404(JobRecord, job_id)
    if record.status not in (JobStatus.QUEUED, JobStatus.RETRYING):
        raise Problem(409, "job_not_cancellable", _l("Only a waiting job can be cancelled"))
    redis = backend.connection()
    if redis is not None:
        try:
            Job.fetch(str(record.id), connection=redis).cancel()
        except NoSuchJobError:
            pass
        except RedisError as exc:
            raise backend.unavailable() from exc
    record.status = JobStatus.CANCELED.value
    db.session().commit()
    return record


#: What a job's file may be: spreadsheets (exports, reports) and printable documents.
JOB_FILE_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text/csv",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)


@blp.route("/jobs/<uuid:job_id>/file", methods=["GET"])
@require(JOBS_READ)
@blp.doc(**file_download("The file the job produced", *JOB_FILE_TYPES))
def job_file(job_id: uuid.UUID) -> Response:
    """Download the file a finished job produced (a spreadsheet export …)"""
    return result_file(job_id, archive=False)


@blp.route("/exports/<uuid:job_id>", methods=["GET"])
@require(TENANT_EXPORT)
@blp.doc(**file_download("The community's archive (JSON)", "application/json"))
def export_file(job_id: uuid.UUID) -> Response:
    """Download the archive a finished community export produced"""
    return result_file(job_id, archive=True)


@blp.route("/exports", methods=["POST"])
@require(TENANT_EXPORT)
@blp.response(202, JobOut)
def start_export() -> JobRecord:
    """Start an archive of all this community's data (a background job)"""
    return enqueue(export_archive, queue="reports")
