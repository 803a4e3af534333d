"""Place operations; every query here is scoped to the current tenant by the ORM."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.api.problems import Problem
from linli.residents.models import Building, Compound


def _duplicate(what: Any) -> Problem:
    return Problem(409, "duplicate_name", _l("The name is taken"), what)


def list_compounds(
    session: Session, *, offset: int = 0, limit: int | None = None
) -> Sequence[Compound]:
    query = select(Compound).order_by(Compound.name).offset(offset).limit(limit)
    return session.scalars(query).all()


def count_compounds(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Compound)) or 0


def create_compound(session: Session, data: Mapping[str, Any]) -> Compound:
    if session.scalar(select(Compound.id).where(Compound.name == data["name"])):
        raise _duplicate(_l("A compound with this name exists already."))
    compound = Compound(**data)
    session.add(compound)
    session.flush()
    return compound


def update_row(session: Session, row: Compound | Building, data: Mapping[str, Any]) -> None:
    for key, value in data.items():
        setattr(row, key, value)
    session.flush()


def list_buildings(session: Session, compound_id: uuid.UUID) -> Sequence[Building]:
    query = select(Building).where(Building.compound_id == compound_id).order_by(Building.name)
    return session.scalars(query).all()


def create_building(session: Session, compound: Compound, data: Mapping[str, Any]) -> Building:
    taken = select(Building.id).where(
        Building.compound_id == compound.id, Building.name == data["name"]
    )
    if session.scalar(taken):
        raise _duplicate(_l("A building with this name exists already in the compound."))
    building = Building(compound_id=compound.id, **data)
    session.add(building)
    session.flush()
    return building
