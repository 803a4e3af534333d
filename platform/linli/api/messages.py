"""marshmallow's validation messages in the reader's language.

marshmallow writes its messages in English, and formats most of them (with the limits
of a range or a length) when a schema is declared, before any request has a language.
So they are translated where they leave: every ``errors`` member of a problem and every
message the console shows next to a field goes through :func:`localised`, which knows
each of marshmallow's message templates. A message Linli wrote itself is already in the
reader's language and passes through unchanged.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l

#: marshmallow's message templates (``{name}`` marks what it fills in), with ours.
TEMPLATES: dict[str, Any] = {
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field may not be empty."),
    "Invalid value.": _l("Invalid value."),
    "Invalid input.": _l("Invalid value."),
    "Invalid type.": _l("Invalid type."),
    "Unknown field.": _l("Unknown field."),
    "Not a valid boolean.": _l("Not a valid yes/no value."),
    "Not a valid date.": _l("Not a valid date."),
    "Not a valid datetime.": _l("Not a valid date and time."),
    "Not a valid time.": _l("Not a valid time."),
    "Not a valid email address.": _l("Not a valid email address."),
    "Not a valid integer.": _l("Not a valid whole number."),
    "Not a valid number.": _l("Not a valid number."),
    "Number too large.": _l("The number is too large."),
    "Not a valid string.": _l("Not a valid text."),
    "Not a valid list.": _l("Not a valid list."),
    "Not a valid mapping type.": _l("Not a valid object."),
    "Not a valid UUID.": _l("Not a valid id."),
    "Not a valid URL.": _l("Not a valid web address."),
    "Special numeric values (nan or infinity) are not permitted.": _l("Not a valid number."),
    "String does not match expected pattern.": _l("Not in the expected format."),
    "Must be one of: {choices}.": _l("Must be one of: %(choices)s."),
    "Must be equal to {other}.": _l("Must be %(other)s."),
    "Shorter than minimum length {min}.": _l("At least %(min)s characters or items."),
    "Longer than maximum length {max}.": _l("At most %(max)s characters or items."),
    "Length must be between {min} and {max}.": _l(
        "Between %(min)s and %(max)s characters or items."
    ),
    "Length must be {equal}.": _l("Exactly %(equal)s characters or items."),
    "Must be greater than or equal to {min}.": _l("Must be at least %(min)s."),
    "Must be greater than {min}.": _l("Must be more than %(min)s."),
    "Must be less than or equal to {max}.": _l("Must be at most %(max)s."),
    "Must be less than {max}.": _l("Must be less than %(max)s."),
    "Must be greater than or equal to {min} and less than or equal to {max}.": _l(
        "Must be between %(min)s and %(max)s."
    ),
    "Must be greater than {min} and less than {max}.": _l(
        "Must be more than %(min)s and less than %(max)s."
    ),
    "Must be greater than or equal to {min} and less than {max}.": _l(
        "Must be at least %(min)s and less than %(max)s."
    ),
    "Must be greater than {min} and less than or equal to {max}.": _l(
        "Must be more than %(min)s and at most %(max)s."
    ),
}


@cache
def _patterns() -> list[tuple[re.Pattern[str], Any]]:
    found = []
    # the longest first: "… {min} and … {max}." before "… {min}." would take it all
    for template, translated in sorted(TEMPLATES.items(), key=lambda t: -len(t[0])):
        parts = re.split(r"\{(\w+)\}", template)
        regex = "".join(
            re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
            for index, part in enumerate(parts)
        )
        found.append((re.compile(f"^{regex}$"), translated))
    return found


def localised_message(message: str) -> str:
    for pattern, translated in _patterns():
        match = pattern.match(message)
        if match:
            text = str(translated)
            return text % match.groupdict() if match.groupdict() else text
    return message


def localised(messages: Any) -> Any:
    """``messages`` (marshmallow's nesting of dicts and lists) with each text localised."""
    if isinstance(messages, dict):
        return {key: localised(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [localised(value) for value in messages]
    if isinstance(messages, str):
        return localised_message(messages)
    return messages
