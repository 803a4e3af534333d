"""The registry's part of a community's archive (``linli tenants export``): every place,
household and resident, identity decrypted, since the archive is what the community
takes with it when it leaves the platform."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from linli.privacy import vault
from linli.residents.models import Grid, GridBuilding, PlaceAssignment, Room, Unit
from linli.residents.people import Household, Resident, ResidentTag, TagDefinition

#: Columns that only make sense inside this installation (keys differ elsewhere).
INTERNAL = frozenset(
    {"tenant_id", "phone_digest", "id_number_digest", "phone_cipher", "id_number_cipher"}
)


def _plain(value: Any) -> Any:
    if isinstance(value, (UUID, date, datetime)):
        return str(value) if isinstance(value, UUID) else value.isoformat()
    return value


def _rows(session: Session, model: type[Any]) -> list[dict[str, Any]]:
    names = [a.key for a in inspect(model).column_attrs if a.key not in INTERNAL]
    return [
        {name: _plain(getattr(row, name)) for name in names}
        for row in session.scalars(select(model).order_by(model.id))
    ]


def registry_archive(session: Session) -> dict[str, Any]:
    keys = vault()
    residents = _rows(session, Resident)
    ciphers = {
        str(r.id): (r.phone_cipher, r.id_number_cipher)
        for r in session.scalars(select(Resident).order_by(Resident.id))
    }
    for resident in residents:
        phone, number = ciphers[resident["id"]]
        resident["phone"] = keys.decrypt(phone) if phone else None
        resident["id_number"] = keys.decrypt(number) if number else None
    return {
        "units": _rows(session, Unit),
        "rooms": _rows(session, Room),
        "grids": _rows(session, Grid),
        "grid_buildings": _rows(session, GridBuilding),
        "place_assignments": _rows(session, PlaceAssignment),
        "households": _rows(session, Household),
        "residents": residents,
        "resident_tags": _rows(session, ResidentTag),
        "tag_definitions": _rows(session, TagDefinition),
    }
