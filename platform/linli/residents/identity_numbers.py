"""Checks and facts of Chinese identity numbers and phone numbers.

A 居民身份证 number (GB 11643-1999) carries the birth date and the sex, so they are read
from it rather than typed a second time, and its check character catches most typing
mistakes before a wrong number is stored.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from linli.residents.people import Gender

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_RESIDENT_CARD = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalise_id_number(value: str) -> str:
    return value.strip().replace(" ", "").upper()


def check_character(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def resident_card_problem(number: str) -> Any:
    """Why ``number`` is not a valid 18-digit resident ID number (None: it is)."""
    if not _RESIDENT_CARD.fullmatch(number):
        return _l("An ID card number has 17 digits and a final digit or X.")
    if birth_date_of(number) is None:
        return _l("The birth date inside the ID card number does not exist.")
    if check_character(number[:17]) != number[17]:
        return _l("The check digit of the ID card number is wrong.")
    return None


def birth_date_of(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def gender_of(number: str) -> Gender:
    return Gender.MALE if int(number[16]) % 2 else Gender.FEMALE


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s()]", "", value).removeprefix("+86").removeprefix("0086")


def phone_is_valid(value: str) -> bool:
    return bool(_MOBILE.fullmatch(value) or _LANDLINE.fullmatch(value))
