"""The residents registry as modules see it: reference, pick and look up residents.

This is the plugin contract's door to the registry. A module stores a resident as a
composite foreign key built by :func:`resident_fk` and shows them through
:class:`ResidentCard` (masked phone, computed age and tags, address): it never reads
the ``residents`` table itself, so it cannot go around masking or the narrowing of
:mod:`linli.residents.visibility`.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKeyConstraint, Select, select
from sqlalchemy.orm import Session

from linli.api.problems import invalid
from linli.db import tenant_fk
from linli.privacy import vault
from linli.residents.identity_numbers import normalise_phone, phone_is_valid
from linli.residents.models import Building, Compound, Room, Unit
from linli.residents.people import Resident, ResidentTag
from linli.residents.tags import age_on, born_on_or_before, derived_tags
from linli.residents.visibility import visible
from linli.tenancy.context import require_tenant

UNKNOWN_RESIDENT = _l("No such resident in this community.")


@dataclass(frozen=True)
class ResidentCard:
    """What a module may show of a resident."""

    id: uuid.UUID
    name: str
    gender: str
    age: int | None
    phone_masked: str | None
    address: str | None
    residency: str
    tags: tuple[str, ...]
    erased: bool
    household_id: uuid.UUID | None = None


def resident_fk(
    column: str = "resident_id", *, ondelete: str | None = None
) -> ForeignKeyConstraint:
    """A composite foreign key to a resident of the same community (``__table_args__``)."""
    return tenant_fk(column, "residents", ondelete=ondelete)


def address_label(
    compound: str | None, building: str | None, unit: str | None, room: str | None
) -> str | None:
    parts = [part for part in (compound, building, unit, room) if part]
    return " ".join(parts) or None


def addresses(session: Session, room_ids: set[uuid.UUID]) -> dict[uuid.UUID, str | None]:
    if not room_ids:
        return {}
    query = (
        select(Room.id, Compound.name, Building.name, Unit.name, Room.number)
        .join(Building, Building.id == Room.building_id)
        .join(Compound, Compound.id == Building.compound_id)
        .outerjoin(Unit, Unit.id == Room.unit_id)
        .where(Room.id.in_(room_ids))
    )
    return {room_id: address_label(*parts) for room_id, *parts in session.execute(query)}


def describe(
    session: Session, residents: Sequence[Resident], on: date | None = None
) -> dict[uuid.UUID, ResidentCard]:
    """Cards of ``residents`` (already read, already allowed): three queries for any
    number of them (addresses, typed tags, household make-up); ages and derived tags as
    of ``on`` (default today)."""
    ids = [resident.id for resident in residents]
    typed: dict[uuid.UUID, list[str]] = defaultdict(list)
    for resident_id, code in session.execute(
        select(ResidentTag.resident_id, ResidentTag.code).where(ResidentTag.resident_id.in_(ids))
    ):
        typed[resident_id].append(code)
    today = on or date.today()
    household_ages = household_member_ages(session, [r.household_id for r in residents], today)
    where = addresses(session, {r.room_id for r in residents if r.room_id is not None})
    described = {}
    for resident in residents:
        age = age_on(resident.birth_date, today)
        members = household_ages.get(resident.household_id) if resident.household_id else None
        described[resident.id] = ResidentCard(
            id=resident.id,
            name=resident.name,
            gender=resident.gender,
            age=age,
            phone_masked=resident.phone_masked,
            address=where.get(resident.room_id) if resident.room_id else None,
            residency=resident.residency,
            tags=tuple(sorted(typed[resident.id])) + tuple(derived_tags(age, members)),
            erased=resident.erased_at is not None,
            household_id=resident.household_id,
        )
    return described


def _card_rows(session: Session, query: Select[Any], on: date | None = None) -> list[ResidentCard]:
    residents = session.scalars(query).all()
    described = describe(session, residents, on)
    return [described[resident.id] for resident in residents]


def household_member_ages(
    session: Session, household_ids: Iterable[uuid.UUID | None], today: date
) -> dict[uuid.UUID, list[int | None]]:
    """Every living member's age, per household (for the derived tags)."""
    wanted = {h for h in household_ids if h is not None}
    ages: dict[uuid.UUID, list[int | None]] = defaultdict(list)
    if wanted:
        members = select(Resident.household_id, Resident.birth_date).where(
            Resident.household_id.in_(wanted), Resident.erased_at.is_(None)
        )
        for household_id, birth_date in session.execute(members):
            if household_id is not None:
                ages[household_id].append(age_on(birth_date, today))
    return ages


def cards(
    session: Session, ids: Iterable[uuid.UUID], *, on: date | None = None
) -> dict[uuid.UUID, ResidentCard]:
    """Cards of the residents among ``ids`` that the caller may see; ages and derived
    tags as of ``on`` (default today), e.g. a meal's day for its subsidy."""
    query = visible(select(Resident).where(Resident.id.in_(set(ids))))
    return {card.id: card for card in _card_rows(session, query, on)}


def card(
    session: Session, resident_id: uuid.UUID, *, on: date | None = None
) -> ResidentCard | None:
    return cards(session, [resident_id], on=on).get(resident_id)


def require_resident(
    session: Session, resident_id: uuid.UUID, field: str = "resident_id"
) -> ResidentCard:
    """The card of a resident a request refers to, or a 422 naming the field."""
    found = card(session, resident_id)
    if found is None or found.erased:
        raise invalid("json", field, UNKNOWN_RESIDENT)
    return found


def search(session: Session, text: str, *, limit: int = 20) -> list[ResidentCard]:
    """Residents whose name contains ``text``, or whose phone ends with it (4 digits)."""
    text = text.strip()
    query = select(Resident).where(Resident.erased_at.is_(None))
    if text.isdigit() and len(text) == 4:
        query = query.where(Resident.phone_tail == text)
    else:
        query = query.where(Resident.name.contains(text, autoescape=True))
    return _card_rows(session, visible(query).order_by(Resident.name, Resident.id).limit(limit))


def aged(session: Session, min_age: int, *, limit: int = 1000) -> list[ResidentCard]:
    """Residents aged ``min_age`` or more today, oldest first (e.g. a canteen's elders)."""
    query = (
        select(Resident)
        .where(
            Resident.erased_at.is_(None),
            Resident.birth_date <= born_on_or_before(min_age, date.today()),
        )
        .order_by(Resident.birth_date, Resident.id)
        .limit(limit)
    )
    return _card_rows(session, visible(query))


def tagged(session: Session, code: str, *, limit: int = 500) -> list[ResidentCard]:
    """Residents carrying a typed-in tag (e.g. ``working_party_member``)."""
    query = (
        select(Resident)
        .join(ResidentTag, ResidentTag.resident_id == Resident.id)
        .where(ResidentTag.code == code, Resident.erased_at.is_(None))
        .order_by(Resident.name, Resident.id)
        .limit(limit)
    )
    return _card_rows(session, visible(query))


@dataclass(frozen=True)
class IdDocument:
    """A resident's identity document as a module may print it (number masked)."""

    id_type: str | None
    number_masked: str | None


def id_document(session: Session, resident_id: uuid.UUID) -> IdDocument | None:
    """The document type and masked number of a visible resident (e.g. for a certificate
    that must name them); ``None`` when the caller may not see the resident."""
    query = visible(select(Resident).where(Resident.id == resident_id))
    resident = session.scalars(query).one_or_none()
    return None if resident is None else IdDocument(resident.id_type, resident.id_number_masked)


@dataclass(frozen=True)
class VerifiedResident:
    """A resident found by what they told about themselves: who they are and their
    household, nothing to show (the caller may be anonymous)."""

    id: uuid.UUID
    household_id: uuid.UUID | None


def verify_resident(session: Session, name: str, phone: str) -> VerifiedResident | None:
    """The registry's resident of the current community with exactly this name and phone
    (matched on the keyed digest, never decrypted), or None; for an anonymous resident
    proving they live here (a vote: one per resident or household). A name shared by two
    residents with one phone matches neither: the answer must name one person."""
    phone = normalise_phone(phone)
    if not phone_is_valid(phone):
        return None
    digest = vault().digest(require_tenant().id, phone)
    query = select(Resident.id, Resident.household_id).where(
        Resident.phone_digest == digest,
        Resident.name == name.strip(),
        Resident.erased_at.is_(None),
    )
    found = session.execute(query.limit(2)).all()
    if len(found) != 1:
        return None
    return VerifiedResident(found[0].id, found[0].household_id)
