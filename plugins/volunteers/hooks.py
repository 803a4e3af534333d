"""Hook implementations: what the core and other modules may ask of the volunteers."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from linli import db
from linli.plugins.hookspecs import hookimpl
from linli.residents import lookup
from linli.tenancy.models import Tenant
from plugins.volunteers import demo, reports, services
from plugins.volunteers import hours as hour_entries
from plugins.volunteers.models import (
    MODELS,
    Application,
    Certificate,
    Evaluation,
    HourRecord,
    Shift,
    Signup,
    SignupStatus,
    StarAward,
    TeamMember,
    Training,
    Volunteer,
)
from plugins.volunteers.shifts import LOCAL


def _plain(value: Any) -> Any:
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


@hookimpl
def export_tenant_data(tenant: Tenant) -> dict[str, Any]:
    """Every row of every table of the module, column by column."""
    part = {model.__tablename__.removeprefix("volunteers_"): _rows(model) for model in MODELS}
    return {"volunteers": part}


def _rows(model: type[Any], *conditions: Any) -> list[dict[str, Any]]:
    columns = [c.key for c in model.__table__.columns if c.key != "tenant_id"]
    query = select(model).where(*conditions).order_by(model.id)
    return [{c: _plain(getattr(row, c)) for c in columns} for row in db.session().scalars(query)]


@hookimpl
def export_person_data(tenant: Tenant, resident_id: uuid.UUID) -> dict[str, Any]:
    """What the module holds about one resident: their volunteer row and its records."""
    volunteer = services.find_volunteer(db.session(), resident_id=resident_id)
    mine = {"applications": _rows(Application, Application.resident_id == resident_id)}
    if volunteer is not None:
        mine["volunteer"] = _rows(Volunteer, Volunteer.id == volunteer.id)
        for model in (HourRecord, Signup, TeamMember, StarAward, Certificate, Training, Evaluation):
            mine[model.__tablename__.removeprefix("volunteers_")] = _rows(
                model, model.volunteer_id == volunteer.id
            )
    return {"volunteers": mine}


#: What an erased volunteer is called in lists and reports (their hours still count).
ERASED_NAME = "（已注销）"


@hookimpl
def erase_person(tenant: Tenant, resident_id: uuid.UUID) -> None:
    """Drop the copied name and free texts; hours, stars and certificates stay counted."""
    session = db.session()
    volunteer = services.find_volunteer(session, resident_id=resident_id)
    if volunteer is not None:
        volunteer.name = ERASED_NAME
        volunteer.service_note = volunteer.availability = None
    for application in session.scalars(
        select(Application).where(Application.resident_id == resident_id)
    ):
        application.note = None
    session.flush()


@hookimpl
def bureau_statistics(tenant: Tenant) -> dict[str, Any]:
    return {"volunteers": reports.statistics(db.session())}


@hookimpl
def seed_demo(tenant: Tenant) -> None:
    demo.seed(db.session(), tenant)


def _busy_on(on: date) -> Any:
    """Volunteers holding a confirmed place on a shift that starts on local date ``on``."""
    start = datetime.combine(on, time.min, LOCAL)
    return (
        select(Signup.volunteer_id)
        .join(Shift, Shift.id == Signup.shift_id)
        .where(
            Signup.status == SignupStatus.CONFIRMED.value,
            Shift.starts_at >= start,
            Shift.starts_at < start + timedelta(days=1),
        )
    )


@hookimpl
def volunteers_available(tenant: Tenant, skill: str | None, on: date) -> list[dict[str, Any]]:
    """Active volunteers (with ``skill``) not already on a shift that day."""
    session = db.session()
    query = (
        services.list_volunteers(skill=skill)
        .where(Volunteer.active.is_(True), Volunteer.id.not_in(_busy_on(on)))
        .order_by(Volunteer.stars.desc(), Volunteer.number)
    )
    volunteers = list(session.scalars(query))
    residents = lookup.cards(session, [v.resident_id for v in volunteers if v.resident_id])
    teams = services.team_names(session, [v.id for v in volunteers])
    return [
        {
            "id": str(v.id),
            "name": v.name,
            "phone_masked": residents[v.resident_id].phone_masked
            if v.resident_id in residents
            else None,
            "team": "、".join(teams[v.id]),
        }
        for v in volunteers
    ]


@hookimpl
def volunteer_service_done(
    tenant: Tenant, volunteer_id: str, on: date, hours: float, activity: str, source: str
) -> None:
    """Service reported by another module, pending the team lead's approval. A bad id or
    amount is the caller's bug: it raises ``ValueError`` rather than logging nonsense."""
    session = db.session()
    try:
        amount = Decimal(str(hours))
        volunteer = session.scalars(
            select(Volunteer).where(Volunteer.id == uuid.UUID(volunteer_id))
        ).one_or_none()
    except (ValueError, InvalidOperation) as exc:
        raise ValueError(f"bad volunteer service report: {exc}") from exc
    if volunteer is None:
        raise ValueError(f"no volunteer {volunteer_id} in {tenant.slug}")
    if not Decimal(0) < amount <= Decimal(24):
        raise ValueError(f"hours must be within (0, 24], not {hours}")
    hour_entries.record(
        session,
        volunteer_id=volunteer.id,
        served_on=on,
        hours=amount.quantize(Decimal("0.01")),
        content=activity[:200],
        source=source[:40],
    )
