"""A faster ``Schema.dump`` for response schemas: marshmallow's own steps, fewer calls.

Every API response goes through ``schema.dump``, and for each field of each row
marshmallow calls ``Field.serialize`` → ``Field.get_value`` → ``Schema.get_attribute``
→ ``utils.get_value`` → ``_get_value_for_key`` before the field's own ``_serialize``:
on a page of 20 rows that chain is most of the serialisation time. :func:`speed_up`
gives a response schema instance a ``_serialize`` that does the same steps inline,
decided once per field, and keeps marshmallow's own path for any field where a class
customises it (a field overriding ``serialize`` or ``get_value``, a schema overriding
``get_attribute``, a dotted attribute, a field that reads no attribute). Hooks
(``pre_dump``/``post_dump``) still run: ``Schema.dump`` calls them around
``_serialize`` as before, and nested schemas dump themselves the usual way.

Fields of marshmallow's plain kinds (a ``String``, an ``Integer`` not as a string, a
``UUID``, a ``DateTime`` in one of its named formats) go one step further: a value of
the very type the field expects is turned into JSON by the one builtin call (or none)
the field's ``_serialize`` would end in.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from marshmallow import Schema, fields, missing

# (output key, marshmallow's own serialize for this field or None, attribute to read,
#  the field's _serialize, its dump default, the field's name, the type of value the
#  shortcut takes (None: no shortcut), the shortcut (None: the value as it is))
_Plan = tuple[
    str,
    Callable[[Any], Any] | None,
    str,
    Callable[..., Any],
    Any,
    str,
    type | None,
    Callable[[Any], Any] | None,
]


def _shortcut(field: fields.Field[Any]) -> tuple[type | None, Callable[[Any], Any] | None]:
    """The value type a field of a plain kind turns into JSON with one builtin call, and
    that call: what its ``_serialize`` does with such a value, minus two Python calls."""
    kind = type(field)
    if kind is fields.String:
        return str, None  # ensure_text_type: str(value), the same string
    if isinstance(field, fields.Integer) and kind is fields.Integer and not field.as_string:
        return int, None  # int(value), the same int
    if kind is fields.UUID:
        return uuid.UUID, str
    if isinstance(field, fields.DateTime) and kind is fields.DateTime:
        convert = fields.DateTime.SERIALIZATION_FUNCS.get(field.format or "iso")
        if convert is not None:
            return datetime, convert
    return None, None


def _plan(schema: Schema, attr_name: str, field: fields.Field[Any]) -> _Plan:
    key = attr_name if field.attribute is None else field.attribute
    out = field.data_key if field.data_key is not None else attr_name
    generic = (
        type(field).serialize is not fields.Field.serialize
        or type(field).get_value is not fields.Field.get_value
        or type(schema).get_attribute is not Schema.get_attribute
        or not field._CHECK_ATTRIBUTE
        or "." in key
    )
    own: Callable[[Any], Any] | None = None
    if generic:

        def own(obj: Any) -> Any:
            return field.serialize(attr_name, obj, accessor=schema.get_attribute)

    return out, own, key, field._serialize, field.dump_default, attr_name, *_shortcut(field)


def speed_up(schema: Schema) -> Schema:
    """Give ``schema`` (an instance) the inline ``_serialize``; returns it (unchanged
    if its class has a ``_serialize`` of its own)."""
    if type(schema)._serialize is not Schema._serialize:
        return schema
    plan = [_plan(schema, name, field) for name, field in schema.dump_fields.items()]
    dict_class = schema.dict_class

    def one(obj: Any) -> Any:
        has_getitem = hasattr(obj, "__getitem__")
        ret = dict_class()
        for out, own, key, serialize, default, attr_name, plain, shortcut in plan:
            if own is not None:
                value = own(obj)
            else:
                if not has_getitem:
                    value = getattr(obj, key, missing)
                else:
                    try:
                        value = obj[key]
                    except (KeyError, IndexError, TypeError, AttributeError):
                        value = getattr(obj, key, missing)
                if value.__class__ is plain:
                    ret[out] = value if shortcut is None else shortcut(value)
                    continue
                if value is missing:
                    value = default() if callable(default) else default
                if value is not missing:
                    value = serialize(value, attr_name, obj)
            if value is not missing:
                ret[out] = value
        return ret

    def serialize(obj: Any, *, many: bool = False) -> Any:
        if many and obj is not None:
            return [one(item) for item in obj]
        return one(obj)

    schema._serialize = serialize  # type: ignore[method-assign]
    return schema
