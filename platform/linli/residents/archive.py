"""The registry's part of a community's archive (``linli tenants export``): every place,
household and resident, identity decrypted, since the archive is what the community
takes with it when it leaves the platform."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from linli.residents.models import Grid, GridBuilding, PlaceAssignment, Room, Unit
from linli.residents.people import Household, Resident, ResidentTag, TagDefinition
from linli.residents.services import identity_of

#: Columns that only make sense inside this installation (keys differ elsewhere).
INTERNAL = frozenset(
    {"tenant_id", "phone_digest", "id_number_digest", "phone_cipher", "id_number_cipher"}
)


def _plain(value: Any) -> Any:
    if isinstance(value, (UUID, date, datetime)):
        return str(value) if isinstance(value, UUID) else value.isoformat()
    return value


def _rows(
    session: Session, model: type[Any], extra: Callable[[Any], dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    names = [a.key for a in inspect(model).column_attrs if a.key not in INTERNAL]
    return [
        {name: _plain(getattr(row, name)) for name in names} | (extra(row) if extra else {})
        for row in session.scalars(select(model).order_by(model.id))
    ]


def registry_archive(session: Session) -> dict[str, Any]:
    return {
        "units": _rows(session, Unit),
        "rooms": _rows(session, Room),
        "grids": _rows(session, Grid),
        "grid_buildings": _rows(session, GridBuilding),
        "place_assignments": _rows(session, PlaceAssignment),
        "households": _rows(session, Household),
        "residents": _rows(session, Resident, identity_of),
        "resident_tags": _rows(session, ResidentTag),
        "tag_definitions": _rows(session, TagDefinition),
    }
