"""The tenant archive as a background job (a large community takes a while)."""

from __future__ import annotations

import json
from typing import Any

from linli import db
from linli.jobs.files import keep_result
from linli.jobs.kinds import job_kind
from linli.jobs.runner import progress
from linli.tenancy.context import require_tenant
from linli.tenancy.export import export_tenant
from linli.tenancy.services import get_tenant

FILE_NAME = "export.json"


@job_kind("tenant.export")
def export_archive() -> dict[str, Any]:
    ref = require_tenant()
    with db.database().session_scope() as session:
        progress(10)
        archive = export_tenant(session, get_tenant(session, ref.slug))
    progress(90)
    path = keep_result(FILE_NAME, json.dumps(archive, ensure_ascii=False).encode("utf-8"))
    return {"file": FILE_NAME, "bytes": path.stat().st_size, "compounds": len(archive["compounds"])}
