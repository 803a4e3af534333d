"""Merging a duplicate resident into the one kept.

References are found from the metadata, not listed by hand: every composite foreign
key to ``residents`` — the core's and every plugin's, present or future — is moved to
the kept resident through the ORM, so each move is audited like any other write.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from linli.api.problems import Problem
from linli.db import Base
from linli.residents.people import Resident, ResidentTag
from linli.residents.services import erased_already, set_tags, typed_tags

#: Identity fields taken from the duplicate when the kept resident has none.
FILLED_IN = (
    ("birth_date",),
    ("phone_cipher", "phone_digest", "phone_masked", "phone_tail"),
    ("id_type", "id_number_cipher", "id_number_digest", "id_number_masked"),
    ("room_id",),
    ("household_id", "relation"),
)


def references() -> Iterator[tuple[type[Any], str]]:
    """``(model, attribute)`` of every column that references a resident."""
    for mapper in Base.registry.mappers:
        if mapper.class_ is ResidentTag:
            continue  # tags are merged as a set, not moved one by one
        table = mapper.local_table
        assert isinstance(table, Table)
        for constraint in table.foreign_key_constraints:
            if constraint.referred_table.name != "residents":
                continue
            for column in constraint.columns:
                if column.name != "tenant_id":
                    yield mapper.class_, mapper.get_property_by_column(column).key


def merge(session: Session, keep: Resident, duplicate: Resident) -> int:
    """Move everything of ``duplicate`` to ``keep`` and delete it; the number of moved
    references."""
    if keep.id == duplicate.id:
        raise Problem(422, "same_resident", _l("Nothing to merge"), _l("Pick two residents."))
    if keep.erased_at is not None or duplicate.erased_at is not None:
        raise erased_already()
    moved = 0
    for model, attribute in references():
        column = getattr(model, attribute)
        for row in session.scalars(select(model).where(column == duplicate.id)):
            setattr(row, attribute, keep.id)
            moved += 1
    set_tags(
        session, keep, sorted({*typed_tags(session, keep.id), *typed_tags(session, duplicate.id)})
    )
    taken = {
        fields: [getattr(duplicate, f) for f in fields]
        for fields in FILLED_IN
        if getattr(keep, fields[0]) is None and getattr(duplicate, fields[0]) is not None
    }
    session.delete(duplicate)
    session.flush()  # the duplicate's unique ID digest is gone before the kept one takes it
    for fields, values in taken.items():
        for field, value in zip(fields, values, strict=True):
            setattr(keep, field, value)
    session.flush()
    return moved
