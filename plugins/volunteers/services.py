"""Teams and volunteers: who may volunteer here, and the rows that say so.

A volunteer is a resident of the registry (looked up through ``linli.residents.lookup``)
or a platform user who acts in this community: a member of a partner unit with an
active partnership here (双报到), or a member of the community itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from linli.api.problems import Problem, invalid
from linli.db import TenantScoped
from linli.identity.models import (
    Membership,
    PartnerMember,
    Partnership,
    PartnershipStatus,
    User,
)
from linli.residents import lookup
from linli.tenancy.context import require_tenant
from plugins.volunteers.models import HourRecord, HourStatus, Team, TeamMember, Volunteer

M = TypeVar("M", bound=TenantScoped)
UNKNOWN = _l("Not found in this community.")


def row_or_422(session: Session, model: type[M], row_id: uuid.UUID, field: str) -> M:
    """A row a request body refers to, or a 422 naming the field (not a 404 of the URL)."""
    row = session.scalars(select(model).where(model.id == row_id)).one_or_none()
    if row is None:
        raise invalid("json", field, UNKNOWN)
    return row


# --- teams ---------------------------------------------------------------------------------


def _check_kind(kind: str, settings: Mapping[str, Any]) -> None:
    if kind not in settings["team_kinds"]:
        raise invalid("json", "kind", _l("Not one of this community's team kinds."))


def _name_free(session: Session, name: str, exclude: uuid.UUID | None = None) -> None:
    query = select(Team.id).where(Team.name == name)
    if exclude is not None:
        query = query.where(Team.id != exclude)
    if session.scalar(query) is not None:
        raise Problem(409, "duplicate_name", _l("The name is taken"))


def create_team(session: Session, data: Mapping[str, Any], settings: Mapping[str, Any]) -> Team:
    _check_kind(data["kind"], settings)
    _name_free(session, data["name"])
    team = Team(**data)
    session.add(team)
    session.flush()
    return team


def update_team(
    session: Session, team: Team, data: Mapping[str, Any], settings: Mapping[str, Any]
) -> Team:
    if "kind" in data:
        _check_kind(data["kind"], settings)
    if "name" in data:
        _name_free(session, data["name"], team.id)
    for key, value in data.items():
        setattr(team, key, value)
    session.flush()
    return team


def members(session: Session, team: Team) -> list[dict[str, Any]]:
    query = (
        select(TeamMember.volunteer_id, Volunteer.name, TeamMember.is_lead)
        .join(Volunteer, Volunteer.id == TeamMember.volunteer_id)
        .where(TeamMember.team_id == team.id)
        .order_by(TeamMember.is_lead.desc(), Volunteer.name)
    )
    return [
        {"volunteer_id": v, "name": n, "is_lead": lead} for v, n, lead in session.execute(query)
    ]


def join_team(session: Session, team: Team, volunteer: Volunteer, *, is_lead: bool) -> TeamMember:
    """Add a volunteer to a team, or change whether they lead it."""
    query = select(TeamMember).where(
        TeamMember.team_id == team.id, TeamMember.volunteer_id == volunteer.id
    )
    member = session.scalars(query).one_or_none()
    if member is None:
        member = TeamMember(team_id=team.id, volunteer_id=volunteer.id)
        session.add(member)
    member.is_lead = is_lead
    session.flush()
    return member


def leave_team(session: Session, team: Team, volunteer_id: uuid.UUID) -> None:
    query = select(TeamMember).where(
        TeamMember.team_id == team.id, TeamMember.volunteer_id == volunteer_id
    )
    member = session.scalars(query).one_or_none()
    if member is None:
        raise Problem(404, "not_a_member", _l("The volunteer is not in this team"))
    session.delete(member)
    session.flush()


# --- volunteers ----------------------------------------------------------------------------


def user_acts_here(session: Session, user_id: uuid.UUID, today: date) -> bool:
    """Whether the user is a member of this community or of a partner unit with an
    active partnership here today (the platform tables are not tenant-scoped: filter)."""
    tenant_id = require_tenant().id
    member = select(Membership.id).where(
        Membership.tenant_id == tenant_id, Membership.user_id == user_id
    )
    partner = (
        select(Partnership.id)
        .join(PartnerMember, PartnerMember.unit_id == Partnership.unit_id)
        .where(
            Partnership.tenant_id == tenant_id,
            PartnerMember.user_id == user_id,
            Partnership.status == PartnershipStatus.ACTIVE.value,
            or_(Partnership.starts_on.is_(None), Partnership.starts_on <= today),
            or_(Partnership.ends_on.is_(None), Partnership.ends_on >= today),
        )
    )
    return session.scalar(member.union(partner).limit(1)) is not None


def person_name(session: Session, data: Mapping[str, Any], today: date) -> str:
    """The name of the person a body names, checking they may volunteer here."""
    if data.get("resident_id") is not None:
        return lookup.require_resident(session, data["resident_id"]).name
    user = session.get(User, data["user_id"])
    if user is None or not user_acts_here(session, user.id, today):
        raise invalid("json", "user_id", _l("This user does not act in this community."))
    return user.display_name


def find_volunteer(
    session: Session, *, resident_id: uuid.UUID | None = None, user_id: uuid.UUID | None = None
) -> Volunteer | None:
    column, value = (
        (Volunteer.resident_id, resident_id)
        if resident_id is not None
        else (Volunteer.user_id, user_id)
    )
    return session.scalars(select(Volunteer).where(column == value)).one_or_none()


def next_number(session: Session, today: date) -> str:
    """The next free 志愿者编号: ``<SLUG>-<year>-<n>``."""
    prefix = f"{require_tenant().slug.upper()}-{today.year}-"
    taken = session.scalar(
        select(func.count()).select_from(Volunteer).where(Volunteer.number.startswith(prefix))
    )
    n = (taken or 0) + 1
    while session.scalar(select(Volunteer.id).where(Volunteer.number == f"{prefix}{n:05d}")):
        n += 1
    return f"{prefix}{n:05d}"


def register_volunteer(session: Session, data: Mapping[str, Any], today: date) -> Volunteer:
    """Register a resident or a user as a volunteer of this community (once)."""
    fields = dict(data)
    team_id, is_lead = fields.pop("team_id", None), fields.pop("is_lead", False)
    team = row_or_422(session, Team, team_id, "team_id") if team_id is not None else None
    name = person_name(session, fields, today)
    person = {k: fields[k] for k in ("resident_id", "user_id") if k in fields}
    if find_volunteer(session, **person) is not None:
        raise Problem(409, "already_volunteer", _l("This person is a volunteer here already"))
    number = fields.pop("number", None) or next_number(session, today)
    if session.scalar(select(Volunteer.id).where(Volunteer.number == number)) is not None:
        raise invalid("json", "number", _l("This volunteer number is taken."))
    volunteer = Volunteer(name=name, number=number, joined_on=today, **fields)
    session.add(volunteer)
    session.flush()
    if team is not None:
        join_team(session, team, volunteer, is_lead=is_lead)
    return volunteer


def update_volunteer(session: Session, volunteer: Volunteer, data: Mapping[str, Any]) -> Volunteer:
    for key, value in data.items():
        setattr(volunteer, key, value)
    session.flush()
    return volunteer


def list_volunteers(
    team_id: uuid.UUID | None = None, skill: str | None = None, text: str | None = None
) -> Any:
    """The query of volunteers in a team, with a skill, or named (or numbered) so."""
    query = select(Volunteer)
    if team_id is not None:
        query = query.where(
            Volunteer.id.in_(select(TeamMember.volunteer_id).where(TeamMember.team_id == team_id))
        )
    if text:
        query = query.where(
            or_(Volunteer.name.contains(text, autoescape=True), Volunteer.number == text)
        )
    if skill:
        query = query.where(Volunteer.skill_index.contains(f"|{skill}|", autoescape=True))
    return query


def approved_hours(
    session: Session, volunteer_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Decimal]:
    """Cumulative verified hours per volunteer."""
    query = (
        select(HourRecord.volunteer_id, func.sum(HourRecord.hours))
        .where(
            HourRecord.volunteer_id.in_(volunteer_ids),
            HourRecord.status == HourStatus.APPROVED.value,
        )
        .group_by(HourRecord.volunteer_id)
    )
    return {vid: Decimal(total or 0) for vid, total in session.execute(query)}


def team_names(session: Session, volunteer_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    query = (
        select(TeamMember.volunteer_id, Team.name)
        .join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.volunteer_id.in_(volunteer_ids))
        .order_by(Team.name)
    )
    names: dict[uuid.UUID, list[str]] = {vid: [] for vid in volunteer_ids}
    for vid, name in session.execute(query):
        names[vid].append(name)
    return names


def contact_card(session: Session, volunteer: Volunteer) -> dict[str, Any]:
    """The 联系卡: what the volunteer offers and how to reach them (phone masked; the
    registry's reveal rules apply to the full number)."""
    phone: str | None = None
    address: str | None = None
    if volunteer.resident_id is not None:
        card = lookup.card(session, volunteer.resident_id)
        if card is not None:
            phone, address = card.phone_masked, card.address
    return {
        "id": volunteer.id,
        "name": volunteer.name,
        "number": volunteer.number,
        "teams": team_names(session, [volunteer.id])[volunteer.id],
        "skills": volunteer.skills,
        "service_note": volunteer.service_note,
        "phone_masked": phone,
        "address": address,
        "stars": volunteer.stars,
        "approved_hours": approved_hours(session, [volunteer.id]).get(volunteer.id, Decimal(0)),
    }
