"""Files that jobs produce (exports, reports), kept under the instance folder.

Paths are built from ids only — never from user input — and checked to stay inside
the community's folder.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from flask import Response, current_app, g, request, send_file
from flask_babel import lazy_gettext as _l

from linli.api.problems import Problem, forbidden, invalid, not_found
from linli.api.tenant_api import tenant_row_or_404
from linli.audit.recorder import current_actor
from linli.identity.access import granted_here
from linli.identity.permissions import TENANT_EXPORT
from linli.jobs.models import JobRecord, JobStatus
from linli.jobs.runner import current_job_id
from linli.jobs.schemas import TENANT_EXPORT_KIND
from linli.storage import body_limit
from linli.tenancy.context import require_tenant

SAFE_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")


def result_dir(tenant_id: int, record_id: uuid.UUID) -> Path:
    root: Path = current_app.config["LINLI"].instance_path / "job-results"
    folder = root / str(int(tenant_id)) / str(uuid.UUID(str(record_id)))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep_result(name: str, data: bytes) -> Path:
    """Keep ``data`` as the current job's file ``name``, whole or not at all.

    It is written to a temporary file beside it and renamed into place, so a full disk
    or a killed worker never leaves a truncated spreadsheet to download; the temporary
    file is removed when writing fails.
    """
    folder = result_dir(require_tenant().id, current_job_id())
    path = folder / name
    partial = folder / f".{name}.{uuid.uuid4().hex}.partial"
    try:
        with partial.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


def result_path(tenant_id: int, record_id: uuid.UUID, name: str) -> Path:
    if not name or set(name) - SAFE_NAME_CHARS or name.startswith("."):
        return Path("/nonexistent")
    return result_dir(tenant_id, record_id) / name


UPLOAD_EXTENSIONS = frozenset({".xlsx", ".csv"})


def upload_path(tenant_id: int, upload_id: uuid.UUID, extension: str) -> Path:
    """Where an uploaded spreadsheet waits for its job: named by a fresh id, never by
    the uploader's file name (no path traversal, no collisions)."""
    if extension not in UPLOAD_EXTENSIONS:
        raise ValueError(f"unsupported upload type {extension}")
    root: Path = current_app.config["LINLI"].instance_path / "uploads" / str(int(tenant_id))
    root.mkdir(parents=True, exist_ok=True)
    return root / f"{uuid.UUID(str(upload_id))}{extension}"


#: Spreadsheets may be larger than the API's usual body limit.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def save_upload(tenant_id: int) -> tuple[str, str]:
    """The request's spreadsheet (multipart field ``file``) saved for its job: ``(upload
    id, extension)``; a 422 naming ``file`` when there is none or it is not one."""
    upload = request.files.get("file")
    extension = Path(upload.filename or "").suffix.lower() if upload else ""
    if upload is None or extension not in UPLOAD_EXTENSIONS:
        raise invalid("files", "file", _l("Upload an .xlsx or .csv file."))
    upload_id = uuid.uuid4()
    upload.save(upload_path(tenant_id, upload_id, extension))
    return str(upload_id), extension


def larger_uploads(*endpoints: str) -> Callable[[], None]:
    """A ``before_request`` hook giving ``endpoints`` the spreadsheet body limit."""
    return body_limit(MAX_UPLOAD_BYTES, *endpoints)


def result_file(job_id: uuid.UUID, *, archive: bool) -> Response:
    """The file a finished job of this community produced, for the person who started it
    (or an admin: an export may hold what only its starter was allowed to see; others
    get a 403); community archives only through /exports."""
    record = tenant_row_or_404(JobRecord, job_id)
    if (
        record.status != JobStatus.FINISHED
        or not isinstance(record.result, dict)
        or (record.kind == TENANT_EXPORT_KIND) != archive
    ):
        raise not_found()
    if record.actor != current_actor() and TENANT_EXPORT not in granted_here():
        raise forbidden(TENANT_EXPORT)
    path = result_path(g.tenant.id, record.id, record.result.get("file", ""))
    if not path.is_file():
        raise Problem(410, "result_expired", _l("The result is no longer kept"))
    # Read whole (archives are JSON of one community): no file handle outlives the request.
    return send_file(io.BytesIO(path.read_bytes()), as_attachment=True, download_name=path.name)
