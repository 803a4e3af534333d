"""Hook implementations: what the core may ask of the notice board."""

from __future__ import annotations

from datetime import date, timedelta
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


#: A notice per demo community that has the board on (from the seed reports).
DEMO_NOTICES = {
    "fubai": (
        "重阳节茶话会",
        "社区联合共建单位为辖区老人举办重阳节茶话会，高龄及行动不便老人上门送慰问品。",
    ),
    "changpu": ("“我家议事会”本月议题征集", "欢迎居民扫码提事，议事会将在本月例会上讨论。"),
}


@hookimpl
def seed_demo(tenant: Tenant) -> None:
    session = db.session()
    notice = DEMO_NOTICES.get(tenant.slug)
    if notice is None or session.scalar(select(Notice.id).limit(1)) is not None:
        return
    title, body = notice
    session.add(
        Notice(title=title, body=body, pinned=True, visible_until=date.today() + timedelta(days=30))
    )
