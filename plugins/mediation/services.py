"""Halls, mediators and the committee: the module's standing set-up.

Cases live in :mod:`plugins.mediation.cases`; this module holds what cases refer to.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.api.problems import Problem, invalid
from linli.db import TenantScoped
from linli.identity.models import User
from linli.residents.models import Compound
from linli.tenancy.context import current_tenant
from linli.tenancy.models import Tenant
from plugins.mediation.models import CommitteeRole, Hall, Mediator

#: 《人民调解法》 第八条: a committee has three to nine members, one of them a woman.
COMMITTEE_MIN, COMMITTEE_MAX = 3, 9


def _ensure_unique_name(session: Session, name: str, own: uuid.UUID | None) -> None:
    query = select(Hall.id).where(Hall.name == name)
    if own is not None:
        query = query.where(Hall.id != own)
    if session.scalar(query) is not None:
        raise Problem(409, "name_taken", _l("This name is already in use"), name)


def check_ref(
    session: Session, model: type[TenantScoped], row_id: uuid.UUID | None, field: str
) -> None:
    """A 422 naming ``field`` when it refers to no row of this community (a foreign id
    and a missing one alike)."""
    if row_id is not None and session.scalar(select(model.id).where(model.id == row_id)) is None:
        raise invalid("json", field, _l("Nothing with this id in this community."))


def current_tenant_id() -> int:
    tenant = current_tenant()
    if tenant is None:
        raise RuntimeError("mediation used outside a community")
    return tenant.id


R = TypeVar("R", Hall, Mediator)


def _save(session: Session, row: R, data: Mapping[str, Any]) -> R:
    for key, value in data.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    return row


def list_halls(session: Session) -> Sequence[Hall]:
    return session.scalars(select(Hall).order_by(Hall.kind, Hall.name)).all()


def save_hall(session: Session, data: Mapping[str, Any], hall: Hall | None = None) -> Hall:
    if "name" in data:
        _ensure_unique_name(session, data["name"], hall.id if hall else None)
    check_ref(session, Compound, data.get("compound_id"), "compound_id")
    return _save(session, hall or Hall(), data)


def list_mediators(session: Session, *, active_only: bool = False) -> Sequence[Mediator]:
    query = select(Mediator).order_by(Mediator.name, Mediator.id)
    if active_only:
        query = query.where(Mediator.active.is_(True))
    return session.scalars(query).all()


def save_mediator(
    session: Session, data: Mapping[str, Any], mediator: Mediator | None = None
) -> Mediator:
    user_id = data.get("user_id")
    if user_id is not None:
        if session.get(User, user_id) is None:
            raise invalid("json", "user_id", _l("No such user."))
        taken = select(Mediator.id).where(Mediator.user_id == user_id)
        if mediator is not None:
            taken = taken.where(Mediator.id != mediator.id)
        if session.scalar(taken) is not None:
            raise Problem(409, "user_is_mediator", _l("This user is already a mediator here"))
    return _save(session, mediator or Mediator(), data)


@dataclass(frozen=True)
class Committee:
    name: str
    members: Sequence[Mediator]
    size: int
    women: int
    warnings: list[dict[str, str]]


def committee_name(session: Session, settings: Mapping[str, Any]) -> str:
    if settings["committee_name"]:
        return str(settings["committee_name"])
    tenant = session.get(Tenant, current_tenant_id())
    return f"{tenant.name if tenant else ''}人民调解委员会"


def committee(session: Session, settings: Mapping[str, Any]) -> Committee:
    """The 调委会 as its members stand, with a warning for each rule it breaks (the
    module keeps working: a committee being formed is not yet complete)."""
    members = session.scalars(
        select(Mediator)
        .where(Mediator.committee_role.is_not(None), Mediator.active.is_(True))
        .order_by(Mediator.committee_role, Mediator.name)
    ).all()
    women = sum(1 for m in members if m.gender == "female")
    directors = sum(1 for m in members if m.committee_role == CommitteeRole.DIRECTOR)
    found: list[tuple[str, Any]] = []
    if not COMMITTEE_MIN <= len(members) <= COMMITTEE_MAX:
        found.append(("committee_size", _l("A committee has three to nine members.")))
    if women == 0:
        found.append(("committee_no_woman", _l("A committee must include a woman.")))
    if directors != 1:
        found.append(("committee_director", _l("A committee has exactly one director.")))
    return Committee(
        name=committee_name(session, settings),
        members=members,
        size=len(members),
        women=women,
        warnings=[{"code": code, "message": str(message)} for code, message in found],
    )
