"""Background work: list exports (.xlsx) and the meeting and activity reminders.

The reminders run daily in each community with the module on (manifest schedule); a
community hears about the next joint meeting or activity when it is exactly
``remind_days_before`` days away, so a daily run reminds once per due date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from linli import db
from linli.identity.models import Membership, User
from linli.identity.permissions import COMMUNITY_ADMIN
from linli.jobs.files import keep_result
from linli.outbox.services import queue_email
from linli.plugins.services import current_settings
from linli.spreadsheets.writing import Column, write_xlsx
from linli.tenancy.context import require_tenant
from plugins.partners import reporting, services
from plugins.partners.models import Need, Project, Resource, ServiceHours
from plugins.partners.permissions import STAFF_ROLE

Rows = Callable[[], Iterable[Mapping[str, Any]]]


def _units() -> Iterable[Mapping[str, Any]]:
    for view in services.list_units(db.session()):
        yield {
            "unit": view.unit.name,
            "status": view.status,
            "starts_on": view.starts_on,
            "ends_on": view.ends_on,
            "agreement_no": view.profile.agreement_no,
            "party_org": view.profile.party_org,
            "contacts": "；".join(c["name"] for c in view.profile.contacts),
        }


def _resources() -> Iterable[Mapping[str, Any]]:
    session = db.session()
    rows = services.with_committed(session, session.scalars(select(Resource)).all())
    for r in rows:
        yield {
            "unit": r.unit.name,
            "kind": r.kind,
            "title": r.title,
            "quantity": r.quantity,
            "committed": r.committed,
            "measure": r.measure,
            "available": "是" if r.available else "否",
        }


def _needs() -> Iterable[Mapping[str, Any]]:
    for n in db.session().scalars(select(Need).order_by(Need.created_at)):
        yield {
            "title": n.title,
            "category": n.category,
            "urgency": n.urgency,
            "source": n.source,
            "status": n.status,
        }


def _projects() -> Iterable[Mapping[str, Any]]:
    session = db.session()
    projects = services.describe(session, session.scalars(select(Project)).all())
    for p in projects:
        yield {
            "title": p.title,
            "units": "、".join(u.name for u in p.units),
            "status": p.status,
            "starts_on": p.starts_on,
            "ends_on": p.ends_on,
            "result": p.result,
        }


def _hours() -> Iterable[Mapping[str, Any]]:
    query = select(ServiceHours).order_by(ServiceHours.served_on)
    for h in db.session().scalars(query):
        yield {
            "unit": h.unit.name,
            "person": h.person,
            "served_on": h.served_on,
            "hours": float(h.hours),
            "content": h.content,
            "status": h.status,
        }


#: Each exportable list: its columns (Chinese headers, as staff file them) and rows.
EXPORTS: dict[str, tuple[tuple[Column, ...], Rows]] = {
    "units": (
        (
            Column("unit", "共建单位"),
            Column("status", "状态"),
            Column("starts_on", "协议开始"),
            Column("ends_on", "协议结束"),
            Column("agreement_no", "协议编号"),
            Column("party_org", "单位党组织"),
            Column("contacts", "联系人"),
        ),
        _units,
    ),
    "resources": (
        (
            Column("unit", "共建单位"),
            Column("kind", "类型"),
            Column("title", "资源"),
            Column("quantity", "数量"),
            Column("committed", "已用"),
            Column("measure", "单位"),
            Column("available", "可用"),
        ),
        _resources,
    ),
    "needs": (
        (
            Column("title", "需求"),
            Column("category", "类别"),
            Column("urgency", "紧急程度"),
            Column("source", "来源"),
            Column("status", "状态"),
        ),
        _needs,
    ),
    "projects": (
        (
            Column("title", "项目"),
            Column("units", "参与单位"),
            Column("status", "状态"),
            Column("starts_on", "开始"),
            Column("ends_on", "结束"),
            Column("result", "成效"),
        ),
        _projects,
    ),
    "hours": (
        (
            Column("unit", "共建单位"),
            Column("person", "服务人"),
            Column("served_on", "日期"),
            Column("hours", "时长(小时)"),
            Column("content", "服务内容"),
            Column("status", "状态"),
        ),
        _hours,
    ),
}


def export_list(which: str) -> dict[str, Any]:
    """One list of the module as an .xlsx file (formula-neutralised by the core's writer)."""
    columns, rows = EXPORTS[which]
    data = write_xlsx(columns, rows())
    name = f"partners-{which}.xlsx"
    keep_result(name, data)
    return {"file": name, "bytes": len(data)}


def _coordinators() -> list[str]:
    """E-mail addresses of the community's admins and partner coordinators."""
    query = (
        select(User.email, Membership.roles)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == require_tenant().id, User.email.is_not(None))
    )
    return sorted(
        str(email)
        for email, roles in db.session().execute(query)
        if {COMMUNITY_ADMIN, STAFF_ROLE} & set(roles or ())
    )


def remind(today: date | None = None) -> dict[str, Any]:
    """Remind the coordinators of the joint meeting or activity the rhythm calls for."""
    session = db.session()
    settings = current_settings("partners")
    today = today or date.today()
    state = reporting.overview(session, settings)
    remind_on = today + timedelta(days=settings["remind_days_before"])
    due = {
        "meeting": state.next_meeting_due == remind_on,
        "activity": state.next_activity_due == remind_on,
    }
    subjects = {
        "meeting": _l("Joint meeting due on %(day)s", day=remind_on.isoformat()),
        "activity": _l("Joint activity due on %(day)s", day=remind_on.isoformat()),
    }
    recipients = _coordinators() if any(due.values()) else []
    for what, is_due in due.items():
        if is_due:
            body = str(_l("The community's rhythm calls for the next one on this day."))
            for recipient in recipients:
                queue_email(session, recipient, str(subjects[what]), body)
    session.commit()
    return {"reminded": [what for what, is_due in due.items() if is_due], "to": len(recipients)}
