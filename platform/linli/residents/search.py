"""The residents list's filters, as SQL: name, phone tail, place, tag, age, residency.

Derived tags are searched by what they are derived from (a birth date cut-off, the
household's make-up), so a search never needs a stored copy of them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select

from linli.residents import tags
from linli.residents.models import Building, Room
from linli.residents.people import Resident, ResidentTag
from linli.residents.visibility import visible


def _households_where(condition: Any) -> Select[Any]:
    living = select(Resident.household_id).where(
        Resident.household_id.is_not(None), Resident.erased_at.is_(None)
    )
    return living.group_by(Resident.household_id).having(condition)


def _derived_tag(code: str, today: date) -> Any:
    senior = tags.born_on_or_before(tags.SENIOR_AGE, today)
    if code == tags.ELDERLY:
        return Resident.birth_date <= tags.born_on_or_before(tags.ELDERLY_AGE, today)
    if code == tags.LIVING_ALONE:
        alone = _households_where(func.count() == 1)
        return (Resident.birth_date <= senior) & Resident.household_id.in_(alone)
    all_senior = _households_where(
        (func.max(Resident.birth_date) <= senior)
        & (func.count() == func.count(Resident.birth_date))
    )
    return (Resident.birth_date <= senior) & Resident.household_id.in_(all_senior)


def _tag(code: str, today: date) -> Any:
    if code in tags.DERIVED_CODES:
        return _derived_tag(code, today)
    tagged = select(ResidentTag.resident_id).where(ResidentTag.code == code)
    return Resident.id.in_(tagged)


def _in_place(building_id: uuid.UUID | None, compound_id: uuid.UUID | None) -> Any:
    rooms = select(Room.id)
    if building_id is not None:
        rooms = rooms.where(Room.building_id == building_id)
    if compound_id is not None:
        rooms = rooms.join(Building, Building.id == Room.building_id).where(
            Building.compound_id == compound_id
        )
    return Resident.room_id.in_(rooms)


def residents_query(args: Mapping[str, Any], today: date) -> Select[Any]:
    """Residents matching the list's query arguments, narrowed to what the caller sees."""
    query = select(Resident)
    if not args.get("include_erased"):
        query = query.where(Resident.erased_at.is_(None))
    if args.get("q"):
        query = query.where(Resident.name.contains(args["q"], autoescape=True))
    if args.get("phone_tail"):
        query = query.where(Resident.phone_tail == args["phone_tail"])
    if args.get("building_id") or args.get("compound_id"):
        query = query.where(_in_place(args.get("building_id"), args.get("compound_id")))
    if args.get("household_id"):
        query = query.where(Resident.household_id == args["household_id"])
    if args.get("residency"):
        query = query.where(Resident.residency == args["residency"])
    for code in args.get("tag") or ():
        query = query.where(_tag(code, today))
    if args.get("age_min") is not None:
        query = query.where(Resident.birth_date <= tags.born_on_or_before(args["age_min"], today))
    if args.get("age_max") is not None:
        youngest_excluded = tags.born_on_or_before(args["age_max"] + 1, today)
        query = query.where(Resident.birth_date > youngest_excluded)
    return visible(query)
