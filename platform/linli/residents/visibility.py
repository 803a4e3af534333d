"""Which residents the caller may see: everyone, or only their own places.

A 网格员 or 楼长/梯长 holds a place-bound role; when that is all that lets them see
residents, every resident query is narrowed to the rooms of their grids, buildings or
units. Anyone granted residents by another role (staff, admins, a module's role) sees
the whole community.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from sqlalchemy import Select, or_, select

from linli.identity import permissions as perms
from linli.identity.access import require_principal, tenant_roles
from linli.residents.models import GridBuilding, PlaceAssignment, PlaceRole, Room
from linli.residents.people import Resident

PLACE_BOUND_ROLES = frozenset({perms.GRID_WORKER, perms.BUILDING_HEAD})
_SEES = frozenset({perms.RESIDENTS_READ, perms.RESIDENTS_LOOKUP})


def _narrowed_user() -> Any:
    """The user whose places bound what they see, or ``None`` for the whole community."""
    if not has_request_context() or g.get("tenant") is None:
        return None  # jobs and CLI act for the community as a whole
    principal = require_principal()
    roles: frozenset[str] = g.get("tenant_roles") or tenant_roles(principal, g.tenant)
    if not roles & PLACE_BOUND_ROLES or principal.user is None:
        return None
    if perms.registry.granted(roles - PLACE_BOUND_ROLES, principal.cap) & _SEES:
        return None
    return principal.user.id


def visible_rooms(user_id: Any) -> Select[Any]:
    """Rooms inside the places assigned to ``user_id``."""
    assignments = select(PlaceAssignment).where(PlaceAssignment.user_id == user_id).subquery()
    grid_buildings = select(GridBuilding.building_id).where(
        GridBuilding.grid_id.in_(
            select(assignments.c.grid_id).where(assignments.c.role == PlaceRole.GRID_WORKER)
        )
    )
    buildings = select(assignments.c.building_id).where(
        assignments.c.role == PlaceRole.BUILDING_HEAD
    )
    units = select(assignments.c.unit_id).where(assignments.c.role == PlaceRole.STAIRWELL_HEAD)
    return select(Room.id).where(
        or_(
            Room.building_id.in_(grid_buildings),
            Room.building_id.in_(buildings),
            Room.unit_id.in_(units),
        )
    )


def visible(query: Select[Any]) -> Select[Any]:
    """``query`` over residents, narrowed to what the caller may see."""
    user_id = _narrowed_user()
    if user_id is None:
        return query
    return query.where(Resident.room_id.is_not(None), Resident.room_id.in_(visible_rooms(user_id)))
