"""Hook implementations: what the core may ask of the notice board."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from linli import db
from linli.plugins.hookspecs import hookimpl
from linli.tenancy.models import Tenant
from plugins.noticeboard import services
from plugins.noticeboard.models import Notice
from plugins.noticeboard.schemas import NoticeOut


@hookimpl
def export_tenant_data(tenant: Tenant) -> dict[str, Any]:
    notices = db.session().scalars(select(Notice).order_by(Notice.created_at)).all()
    return {"noticeboard": {"notices": NoticeOut(many=True).dump(notices)}}


@hookimpl
def bureau_statistics(tenant: Tenant) -> dict[str, Any]:
    return {"noticeboard": services.statistics(db.session(), date.today())}
