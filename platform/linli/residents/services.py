"""Place operations; every query here is scoped to the current tenant by the ORM."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.api.problems import Problem, invalid
from linli.audit.recorder import record_access
from linli.privacy import mask_id_number, mask_phone, vault
from linli.residents import tags
from linli.residents.identity_numbers import (
    birth_date_of,
    gender_of,
    normalise_id_number,
    normalise_phone,
    phone_is_valid,
    resident_card_problem,
)
from linli.residents.models import Building, Compound, Room
from linli.residents.people import Household, IdType, Resident, ResidentTag, TagDefinition
from linli.tenancy.context import require_tenant

COMPOUND_TAKEN = _l("A compound with this name exists already.")
BUILDING_TAKEN = _l("A building with this name exists already in the compound.")


def ensure_free(session: Session, query: Any, exclude: uuid.UUID | None, message: Any) -> None:
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
    ensure_free(session, _compound_named(data["name"]), None, COMPOUND_TAKEN)
    compound = Compound(**data)
    session.add(compound)
    session.flush()
    return compound


def update_compound(session: Session, compound: Compound, data: Mapping[str, Any]) -> None:
    if "name" in data:
        ensure_free(session, _compound_named(data["name"]), compound.id, COMPOUND_TAKEN)
    for key, value in data.items():
        setattr(compound, key, value)
    session.flush()


def list_buildings(session: Session, compound_id: uuid.UUID) -> Sequence[Building]:
    query = select(Building).where(Building.compound_id == compound_id).order_by(Building.name)
    return session.scalars(query).all()


def create_building(session: Session, compound: Compound, data: Mapping[str, Any]) -> Building:
    ensure_free(session, _building_named(compound.id, data["name"]), None, BUILDING_TAKEN)
    building = Building(compound_id=compound.id, **data)
    session.add(building)
    session.flush()
    return building


def update_building(session: Session, building: Building, data: Mapping[str, Any]) -> None:
    if "name" in data:
        taken = _building_named(building.compound_id, data["name"])
        ensure_free(session, taken, building.id, BUILDING_TAKEN)
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


RESIDENT_REGISTERED = _l("A resident with this ID number is registered already.")
NOT_IN_COMMUNITY = _l("Not found in this community.")
DERIVED_TAG = _l("This tag is computed from the resident's data and cannot be set.")
UNKNOWN_TAG = _l("Unknown tag: add it to the community's tag dictionary first.")
BAD_PHONE = _l("Not a mobile (11 digits) or landline number.")
DOES_NOT_MATCH_ID = _l("Does not match the ID card number.")


def tag_dictionary(session: Session) -> dict[str, str]:
    custom = {row.code: row.name for row in session.scalars(select(TagDefinition))}
    return tags.dictionary(custom)


def _check_tags(session: Session, codes: Sequence[str]) -> None:
    known = tag_dictionary(session)
    for code in codes:
        if code in tags.DERIVED_CODES:
            raise invalid("json", "tags", DERIVED_TAG)
        if code not in known:
            raise invalid("json", "tags", UNKNOWN_TAG)


def referenced_row(session: Session, model: type[Any], row_id: uuid.UUID, field: str) -> Any:
    """The community's row a request names in ``field``, or a 422 naming the field."""
    row = session.get(model, (require_tenant().id, row_id))
    if row is None:
        raise invalid("json", field, NOT_IN_COMMUNITY)
    return row


def _set_identity(resident: Resident, data: dict[str, Any]) -> None:
    """Encrypt, digest and mask the ID number and phone given in ``data``."""
    keys = vault()
    tenant_id = require_tenant().id
    if "id_number" in data:
        number = data.pop("id_number")
        if number is None:
            resident.id_number_cipher = resident.id_number_digest = None
            resident.id_number_masked = resident.id_type = None
        else:
            number = normalise_id_number(number)
            id_type = data.get("id_type") or resident.id_type or IdType.RESIDENT_CARD
            if id_type == IdType.RESIDENT_CARD:
                _read_resident_card(number, data)
            resident.id_type = id_type
            resident.id_number_cipher = keys.encrypt(number)
            resident.id_number_digest = keys.digest(tenant_id, number)
            resident.id_number_masked = mask_id_number(number)
    if "phone" in data:
        phone = data.pop("phone")
        if phone is None:
            resident.phone_cipher = resident.phone_digest = None
            resident.phone_masked = resident.phone_tail = None
        else:
            phone = normalise_phone(phone)
            if not phone_is_valid(phone):
                raise invalid("json", "phone", BAD_PHONE)
            resident.phone_cipher = keys.encrypt(phone)
            resident.phone_digest = keys.digest(tenant_id, phone)
            resident.phone_masked = mask_phone(phone)
            resident.phone_tail = phone[-4:]


def _read_resident_card(number: str, data: dict[str, Any]) -> None:
    """Take the birth date and sex from a resident ID card number; refuse a different
    one typed beside it."""
    problem = resident_card_problem(number)
    if problem is not None:
        raise invalid("json", "id_number", problem)
    for field, value in (("birth_date", birth_date_of(number)), ("gender", gender_of(number))):
        given = data.get(field)
        if given is not None and given != value:
            raise invalid("json", field, DOES_NOT_MATCH_ID)
        data[field] = value


def _refuse_registered(session: Session, resident: Resident) -> None:
    if resident.id_number_digest is None:
        return
    other = session.scalar(
        select(Resident.id).where(
            Resident.id_number_digest == resident.id_number_digest, Resident.id != resident.id
        )
    )
    if other is not None:
        raise Problem(
            409,
            "duplicate_resident",
            _l("Registered already"),
            RESIDENT_REGISTERED,
            extensions={"resident_id": str(other)},
        )


def _place(session: Session, resident: Resident, data: dict[str, Any]) -> None:
    if data.get("household_id") is not None:
        household = referenced_row(session, Household, data["household_id"], "household_id")
        if "room_id" not in data and household.room_id is not None:
            data["room_id"] = household.room_id
    if data.get("room_id") is not None:
        referenced_row(session, Room, data["room_id"], "room_id")


def _apply(session: Session, resident: Resident, data: Mapping[str, Any]) -> None:
    changes = dict(data)
    codes = changes.pop("tags", None)
    _set_identity(resident, changes)
    _place(session, resident, changes)
    for key, value in changes.items():
        setattr(resident, key, value)
    _refuse_registered(session, resident)
    if codes is not None:
        _check_tags(session, codes)
        set_tags(session, resident, codes)


def erased_already() -> Problem:
    return Problem(409, "resident_erased", _l("Erased"), _l("This person's identity was erased."))


def prepared_resident(data: Mapping[str, Any]) -> Resident:
    """A new resident built from ``data`` (identity checked, encrypted and masked) without
    touching the database: bulk imports check places and duplicates in bulk themselves."""
    resident = Resident(id=uuid.uuid4())
    changes = dict(data)
    _set_identity(resident, changes)
    for key, value in changes.items():
        setattr(resident, key, value)
    return resident


def add_resident(session: Session, data: Mapping[str, Any]) -> Resident:
    """Register a resident (validated, identity encrypted, tags set); 409
    ``duplicate_resident`` when the ID number is registered already."""
    resident = Resident(id=uuid.uuid4())
    _apply(session, resident, data)
    session.add(resident)
    session.flush()
    return resident


def update_resident(session: Session, resident: Resident, data: Mapping[str, Any]) -> None:
    if resident.erased_at is not None:
        raise Problem(
            409, "resident_erased", _l("Erased"), _l("This person's identity was erased.")
        )
    _apply(session, resident, data)
    session.flush()


def set_tags(session: Session, resident: Resident, codes: Sequence[str]) -> None:
    wanted = set(codes)
    existing = {
        t.code: t
        for t in session.scalars(select(ResidentTag).where(ResidentTag.resident_id == resident.id))
    }
    for code, row in existing.items():
        if code not in wanted:
            session.delete(row)
    session.add_all(ResidentTag(resident_id=resident.id, code=c) for c in wanted - existing.keys())


def typed_tags(session: Session, resident_id: uuid.UUID) -> list[str]:
    query = select(ResidentTag.code).where(ResidentTag.resident_id == resident_id)
    return sorted(session.scalars(query))


def possible_duplicates(session: Session, resident: Resident) -> list[uuid.UUID]:
    """Other residents with the same name and phone: a warning, not a refusal (a parent
    and child may share a phone, two people a name)."""
    if resident.phone_digest is None:
        return []
    query = select(Resident.id).where(
        Resident.phone_digest == resident.phone_digest,
        Resident.name == resident.name,
        Resident.id != resident.id,
        Resident.erased_at.is_(None),
    )
    return list(session.scalars(query))


def identity_of(resident: Resident) -> dict[str, str | None]:
    """The full ID number and phone, decrypted; the caller audits the read."""
    keys = vault()
    return {
        "id_number": keys.open(resident.id_number_cipher),
        "phone": keys.open(resident.phone_cipher),
    }


def reveal(session: Session, resident: Resident) -> dict[str, str | None]:
    """The full ID number and phone, for a role allowed to see them; audited."""
    shown = identity_of(resident)
    record_access(session, resident, "reveal", {"fields": sorted(k for k, v in shown.items() if v)})
    return shown


def add_household(session: Session, data: Mapping[str, Any]) -> Household:
    if data.get("room_id") is not None:
        referenced_row(session, Room, data["room_id"], "room_id")
    household = Household(**data)
    session.add(household)
    session.flush()
    return household


def update_household(session: Session, household: Household, data: Mapping[str, Any]) -> None:
    """Move the household (and every member with it) or renumber it."""
    if data.get("room_id") is not None:
        referenced_row(session, Room, data["room_id"], "room_id")
        members = select(Resident).where(Resident.household_id == household.id)
        for member in session.scalars(members):
            member.room_id = data["room_id"]
    for key, value in data.items():
        setattr(household, key, value)
    session.flush()


def delete_household(session: Session, household: Household) -> None:
    members = (
        select(func.count()).select_from(Resident).where(Resident.household_id == household.id)
    )
    if session.scalar(members):
        raise Problem(409, "household_not_empty", _l("The household has members"))
    session.delete(household)
    session.flush()
