"""Marshmallow fields that keep hostile text out of the database.

JSON can carry NUL, lone surrogates and control characters that PostgreSQL rejects
(or stores as invisible garbage), and bidirectional overrides that make a name display
as something else; refusing them at the schema turns a would-be 500 (or a spoof) into a
422 that names the field.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields

_FORBIDDEN = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_LINE_BREAKS = re.compile(r"[\n\r\x85\u2028\u2029]")


class Text(fields.String):
    """A string, NFC-normalised, stripped, refusing control characters and surrogates."""

    def __init__(self, *, multiline: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.multiline = multiline

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if _FORBIDDEN.search(text) or (not self.multiline and _LINE_BREAKS.search(text)):
            raise ValidationError(str(_l("Contains characters that are not allowed.")))
        return unicodedata.normalize("NFC", text).strip()
