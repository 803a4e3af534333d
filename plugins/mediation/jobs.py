"""Background work: the daily reminder of overdue cases to their mediators."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from linli import db
from linli.identity.models import User
from linli.outbox.services import queue_email
from plugins.mediation.models import Case, CaseMediator, Mediator

REMINDER_LOCALE = "zh_Hans_CN"


def remind_overdue() -> dict[str, int]:
    """Email each assigned mediator (who has a login) the numbers of their overdue cases.

    Only case numbers and deadlines go out: no parties' details leave the system."""
    today = date.today()
    with db.database().session_scope() as session, force_locale(REMINDER_LOCALE):
        rows = session.execute(
            select(User.email, Case.number, Case.state, Case.due_on)
            .join(Mediator, Mediator.user_id == User.id)
            .join(CaseMediator, CaseMediator.mediator_id == Mediator.id)
            .join(Case, Case.id == CaseMediator.case_id)
            .where(Case.due_on < today, User.email.is_not(None))
            .order_by(User.email, Case.due_on)
        ).all()
        overdue = session.scalars(select(Case.id).where(Case.due_on < today)).all()
        lines: dict[str, list[str]] = defaultdict(list)
        for email, number, state, due_on in rows:
            lines[str(email)].append(f"{number}  {state}  {due_on}")
        for email, cases in lines.items():
            queue_email(
                session,
                email,
                str(_l("Overdue mediation cases")),
                str(_l("These cases are past their deadline:")) + "\n" + "\n".join(cases),
            )
    return {"overdue": len(overdue), "reminded": len(lines)}
