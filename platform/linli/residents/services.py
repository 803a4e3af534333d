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

COMPOUND_TAKEN = _l("A compound with this name exists already.")
BUILDING_TAKEN = _l("A building with this name exists already in the compound.")


def _ensure_free(session: Session, query: Any, exclude: uuid.UUID | None, message: Any) -> None:
    """Refuse a duplicate name with a 409 that says so (not a bare integrity error)."""
    if exclude is not None:
        query = query.where(query.selected_columns[0] != exclude)
    if session.scalar(query) is not None:
        raise Problem(409, "duplicate_name", _l("The name is taken"), message)


def _compound_named(name: str) -> Any:
    return select(Compound.id).where(Compound.name == name)


def _building_named(compound_id: uuid.UUID, name: str) -> Any:
    return select(Building.id).where(Building.compound_id == compound_id, Building.name == name)


def count_compounds(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Compound)) or 0


def count_buildings(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Building)) or 0


def create_compound(session: Session, data: Mapping[str, Any]) -> Compound:
    _ensure_free(session, _compound_named(data["name"]), None, COMPOUND_TAKEN)
    compound = Compound(**data)
    session.add(compound)
    session.flush()
    return compound


def update_compound(session: Session, compound: Compound, data: Mapping[str, Any]) -> None:
    if "name" in data:
        _ensure_free(session, _compound_named(data["name"]), compound.id, COMPOUND_TAKEN)
    for key, value in data.items():
        setattr(compound, key, value)
    session.flush()


def list_buildings(session: Session, compound_id: uuid.UUID) -> Sequence[Building]:
    query = select(Building).where(Building.compound_id == compound_id).order_by(Building.name)
    return session.scalars(query).all()


def create_building(session: Session, compound: Compound, data: Mapping[str, Any]) -> Building:
    _ensure_free(session, _building_named(compound.id, data["name"]), None, BUILDING_TAKEN)
    building = Building(compound_id=compound.id, **data)
    session.add(building)
    session.flush()
    return building


def update_building(session: Session, building: Building, data: Mapping[str, Any]) -> None:
    if "name" in data:
        taken = _building_named(building.compound_id, data["name"])
        _ensure_free(session, taken, building.id, BUILDING_TAKEN)
    for key, value in data.items():
        setattr(building, key, value)
    session.flush()


def delete_compound(session: Session, compound: Compound) -> None:
    """Delete the compound and its buildings through the ORM, so each one is audited
    (the database would cascade them silently)."""
    for building in list_buildings(session, compound.id):
        session.delete(building)
    session.flush()
    session.delete(compound)
    session.flush()
