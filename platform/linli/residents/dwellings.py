"""Units (单元/梯), rooms and grids (网格): the finer places, and who looks after them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.api.problems import Problem, invalid
from linli.identity.models import Membership
from linli.identity.permissions import BUILDING_HEAD, GRID_WORKER
from linli.residents.models import (
    PLACE_OF_ROLE,
    Building,
    Grid,
    GridBuilding,
    PlaceAssignment,
    PlaceRole,
    Room,
    Unit,
)
from linli.residents.services import NOT_IN_COMMUNITY, ensure_free, referenced_row
from linli.tenancy.context import require_tenant

UNIT_TAKEN = _l("A unit with this name exists already in the building.")
ROOM_TAKEN = _l("A room with this number exists already there.")
GRID_TAKEN = _l("A grid with this name exists already.")
IN_ANOTHER_GRID = _l("The building belongs to another grid already.")
NEEDS_ROLE = _l("Give the user this role in the community first.")
WRONG_PLACE = _l("This role is tied to a grid, a building or a unit: name exactly that one.")

#: The membership role each place role needs.
MEMBER_ROLE = {
    PlaceRole.GRID_WORKER: GRID_WORKER,
    PlaceRole.BUILDING_HEAD: BUILDING_HEAD,
    PlaceRole.STAIRWELL_HEAD: BUILDING_HEAD,
}


def save_unit(session: Session, unit: Unit, data: Mapping[str, Any]) -> Unit:
    if "name" in data:
        same = select(Unit.id).where(
            Unit.building_id == unit.building_id, Unit.name == data["name"]
        )
        ensure_free(session, same, unit.id, UNIT_TAKEN)
    for key, value in data.items():
        setattr(unit, key, value)
    session.add(unit)
    session.flush()
    return unit


def save_room(session: Session, room: Room, data: Mapping[str, Any]) -> Room:
    unit_id = data.get("unit_id", room.unit_id)
    if (
        unit_id is not None
        and referenced_row(session, Unit, unit_id, "unit_id").building_id != room.building_id
    ):
        raise invalid("json", "unit_id", NOT_IN_COMMUNITY)
    number = data.get("number", room.number)
    same = select(Room.id).where(
        Room.building_id == room.building_id,
        Room.number == number,
        Room.unit_id.is_(None) if unit_id is None else Room.unit_id == unit_id,
    )
    ensure_free(session, same, room.id, ROOM_TAKEN)
    for key, value in data.items():
        setattr(room, key, value)
    session.add(room)
    session.flush()
    return room


def grid_buildings(session: Session, grid_id: uuid.UUID) -> list[uuid.UUID]:
    query = select(GridBuilding.building_id).where(GridBuilding.grid_id == grid_id)
    return sorted(session.scalars(query), key=str)


def _set_buildings(session: Session, grid: Grid, building_ids: Sequence[uuid.UUID]) -> None:
    wanted = set(building_ids)
    for building_id in wanted:
        referenced_row(session, Building, building_id, "building_ids")
    elsewhere = select(GridBuilding.building_id).where(
        GridBuilding.building_id.in_(wanted), GridBuilding.grid_id != grid.id
    )
    if session.scalar(elsewhere.limit(1)) is not None:
        raise Problem(409, "building_in_another_grid", _l("In another grid"), IN_ANOTHER_GRID)
    rows = session.scalars(select(GridBuilding).where(GridBuilding.grid_id == grid.id))
    existing = {row.building_id: row for row in rows}
    for building_id, row in existing.items():
        if building_id not in wanted:
            session.delete(row)
    session.add_all(GridBuilding(grid_id=grid.id, building_id=b) for b in wanted - existing.keys())


def save_grid(session: Session, grid: Grid, data: Mapping[str, Any]) -> Grid:
    changes = dict(data)
    buildings = changes.pop("building_ids", None)
    if "name" in changes:
        ensure_free(
            session, select(Grid.id).where(Grid.name == changes["name"]), grid.id, GRID_TAKEN
        )
    for key, value in changes.items():
        setattr(grid, key, value)
    session.add(grid)
    session.flush()
    if buildings is not None:
        _set_buildings(session, grid, buildings)
        session.flush()
    return grid


def assign(session: Session, data: Mapping[str, Any]) -> PlaceAssignment:
    """Tie a member holding the matching role to one place."""
    role = PlaceRole(data["role"])
    column = PLACE_OF_ROLE[role]
    given = {key for key in ("grid_id", "building_id", "unit_id") if data.get(key) is not None}
    if given != {column}:
        raise invalid("json", column, WRONG_PLACE)
    model = {"grid_id": Grid, "building_id": Building, "unit_id": Unit}[column]
    referenced_row(session, model, data[column], column)
    roles = session.scalar(
        select(Membership.roles).where(
            Membership.tenant_id == require_tenant().id, Membership.user_id == data["user_id"]
        )
    )
    if not roles or MEMBER_ROLE[role] not in roles:
        raise invalid("json", "user_id", NEEDS_ROLE)
    assignment = PlaceAssignment(user_id=data["user_id"], role=role.value, **{column: data[column]})
    session.add(assignment)
    session.flush()
    return assignment


def delete_unit(session: Session, unit: Unit) -> None:
    """Delete the unit's rooms through the ORM first, so each is audited (the database
    would cascade them silently)."""
    for room in session.scalars(select(Room).where(Room.unit_id == unit.id)):
        session.delete(room)
    session.flush()
    session.delete(unit)
    session.flush()
