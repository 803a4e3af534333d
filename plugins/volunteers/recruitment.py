"""Recruitment (招募): an open call for a team, applications, and their approval.

Approving an application makes the applicant a volunteer of the community (when they
are not one yet) and a member of the call's team.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.api.problems import Problem
from plugins.volunteers import services
from plugins.volunteers.models import Application, ApplicationStatus, Recruitment, Team


def open_call(session: Session, data: Mapping[str, Any]) -> Recruitment:
    services.row_or_422(session, Team, data["team_id"], "team_id")
    call = Recruitment(**data)
    session.add(call)
    session.flush()
    return call


def apply(session: Session, call: Recruitment, data: Mapping[str, Any], today: date) -> Application:
    if call.closed or (call.open_until is not None and call.open_until < today):
        raise Problem(409, "recruitment_closed", _l("This call for volunteers is closed"))
    services.person_name(session, data, today)
    key = "resident_id" if "resident_id" in data else "user_id"
    column, value = getattr(Application, key), data[key]
    pending = select(Application.id).where(
        Application.recruitment_id == call.id,
        column == value,
        Application.status == ApplicationStatus.PENDING.value,
    )
    if session.scalar(pending) is not None:
        raise Problem(409, "already_applied", _l("This person has applied already"))
    application = Application(recruitment_id=call.id, **data)
    session.add(application)
    session.flush()
    return application


def decide(
    session: Session, application: Application, *, approve: bool, today: date
) -> Application:
    if application.status != ApplicationStatus.PENDING:
        raise Problem(409, "already_decided", _l("This application was decided already"))
    if approve:
        call = session.scalars(
            select(Recruitment).where(Recruitment.id == application.recruitment_id)
        ).one()
        team = session.scalars(select(Team).where(Team.id == call.team_id)).one()
        volunteer = services.find_volunteer(
            session, resident_id=application.resident_id, user_id=application.user_id
        )
        if volunteer is None:
            person = {"resident_id": application.resident_id, "user_id": application.user_id}
            volunteer = services.register_volunteer(
                session,
                {k: v for k, v in person.items() if v is not None} | {"skills": application.skills},
                today,
            )
        else:
            volunteer.skills = sorted(set(volunteer.skills) | set(application.skills))
        services.join_team(session, team, volunteer, is_lead=False)
    application.status = (
        ApplicationStatus.APPROVED if approve else ApplicationStatus.DECLINED
    ).value
    session.flush()
    return application
