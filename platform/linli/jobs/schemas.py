"""Schemas of the jobs API."""

from __future__ import annotations

from flask import g, url_for
from marshmallow import Schema, fields, validate

from linli.jobs.models import JobStatus

TENANT_EXPORT_KIND = "tenant.export"


def _result_url(record: object) -> str | None:
    if getattr(record, "status", None) != "finished" or not isinstance(
        getattr(record, "result", None), dict
    ):
        return None
    if "file" not in record.result:  # type: ignore[attr-defined]
        return None
    endpoint = "jobs.export_file" if record.kind == TENANT_EXPORT_KIND else "jobs.job_file"  # type: ignore[attr-defined]
    return url_for(endpoint, slug=g.tenant.slug, job_id=record.id)  # type: ignore[attr-defined]


class JobOut(Schema):
    id = fields.UUID()
    kind = fields.String()
    queue = fields.String()
    status = fields.String()
    progress = fields.Integer()
    attempts = fields.Integer()
    result = fields.Raw(allow_none=True)
    error = fields.Dict(allow_none=True)
    result_url = fields.Function(_result_url)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


class JobListArgs(Schema):
    status = fields.String(validate=validate.OneOf([s.value for s in JobStatus]))
