"""Background work: the daily reminder of matters past their stage's deadline."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from linli import db
from linli.identity.models import Membership, User
from linli.outbox.services import queue_email
from linli.tenancy.context import require_tenant
from plugins.affairs.models import Matter
from plugins.affairs.services import today

REMINDER_LOCALE = "zh_Hans_CN"
COORDINATOR = "affairs.coordinator"


def remind_overdue() -> dict[str, int]:
    """Email the community's matters coordinators the overdue files (number, stage,
    deadline; no reporter's details leave the system)."""
    with db.database().session_scope() as session, force_locale(REMINDER_LOCALE):
        overdue = session.execute(
            select(Matter.number, Matter.stage, Matter.stage_due_on)
            .where(Matter.ending.is_(None), Matter.stage_due_on < today())
            .order_by(Matter.stage_due_on, Matter.number)
        ).all()
        if not overdue:
            return {"overdue": 0, "reminded": 0}
        members = session.execute(
            select(User.email, Membership.roles)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == require_tenant().id, User.email.is_not(None))
        ).all()
        emails = sorted({str(email) for email, roles in members if COORDINATOR in (roles or [])})
        lines = "\n".join(f"{number}  {stage}  {due}" for number, stage, due in overdue)
        for email in emails:
            queue_email(
                session,
                email,
                str(_l("Overdue residents' matters")),
                str(_l("These matters are past their stage's deadline:")) + "\n" + lines,
            )
    return {"overdue": len(overdue), "reminded": len(emails)}
