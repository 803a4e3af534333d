"""The tag dictionary: built-in tags, a community's own, and the derived ones.

Derived tags follow from data already kept (birth date, household), so they are
computed when read and can never be typed in: a resident turns 高龄 on their birthday
with nobody editing anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

ELDERLY_AGE = 80
SENIOR_AGE = 60


@dataclass(frozen=True)
class TagKind:
    code: str
    name: Any
    derived: bool = False


ELDERLY = "elderly"
LIVING_ALONE = "living_alone"
EMPTY_NEST = "empty_nest"

BUILT_IN: tuple[TagKind, ...] = (
    TagKind(ELDERLY, _l("Aged 80 or over"), derived=True),
    TagKind(LIVING_ALONE, _l("Senior living alone"), derived=True),
    TagKind(EMPTY_NEST, _l("Empty nest (seniors without children at home)"), derived=True),
    TagKind("subsistence", _l("Minimum living allowance")),
    TagKind("extreme_poverty", _l("Extreme poverty support")),
    TagKind("disabled", _l("Disability")),
    TagKind("party_member", _l("Party member")),
    TagKind("veteran", _l("Veteran")),
    TagKind("working_party_member", _l("In-service party member reporting here")),
)
BUILT_IN_CODES = frozenset(kind.code for kind in BUILT_IN)
DERIVED_CODES = frozenset(kind.code for kind in BUILT_IN if kind.derived)


def age_on(birth_date: date | None, today: date) -> int | None:
    if birth_date is None:
        return None
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - int(before_birthday)


def born_on_or_before(age: int, today: date) -> date:
    """The latest birth date of someone aged ``age`` or more ``today``."""
    try:
        return today.replace(year=today.year - age)
    except ValueError:  # 29 February
        return today.replace(year=today.year - age, day=28)


def derived_tags(age: int | None, household_ages: Sequence[int | None] | None) -> list[str]:
    """Derived tags of one resident; ``household_ages``: every member's age, theirs
    included (``None`` when they belong to no household)."""
    tags = []
    if age is not None and age >= ELDERLY_AGE:
        tags.append(ELDERLY)
    if age is not None and age >= SENIOR_AGE and household_ages:
        if len(household_ages) == 1:
            tags.append(LIVING_ALONE)
        if all(a is not None and a >= SENIOR_AGE for a in household_ages):
            tags.append(EMPTY_NEST)
    return tags


def dictionary(custom: Mapping[str, str]) -> dict[str, str]:
    """Every tag code a community can use, with its display name."""
    return {**{kind.code: str(kind.name) for kind in BUILT_IN}, **custom}
