"""Reading posted console forms with the same marshmallow schemas as the JSON API, so a
rule is checked once; errors come back per field, to be shown next to it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import request
from marshmallow import Schema, ValidationError

from linli.api.messages import localised_message
from linli.api.problems import Problem

FieldErrors = dict[str, list[str]]


def flat_errors(messages: Any, prefix: str = "") -> FieldErrors:
    """marshmallow's nested messages as ``{"modules.canteens.settings.x": [...]}``."""
    if isinstance(messages, Mapping):
        found: FieldErrors = {}
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            found.update(flat_errors(value, name))
        return found
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_schema": [localised_message(m) for m in messages]}
    if isinstance(messages, list):
        found = {}
        for index, item in enumerate(messages):
            found.update(flat_errors(item, f"{prefix}.{index}"))
        return found
    return {prefix or "_schema": [localised_message(str(messages))]}


def posted(lists: Iterable[str] = ()) -> dict[str, Any]:
    """The form's fields, blanks as missing, the names in ``lists`` as lists."""
    data: dict[str, Any] = {k: v for k, v in request.form.items() if k != "csrf_token" and v != ""}
    for name in lists:
        data[name] = request.form.getlist(name)
    return data


def load(schema: Schema, data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, FieldErrors]:
    try:
        return schema.load(dict(data)), {}
    except ValidationError as exc:
        return None, flat_errors(exc.messages)


def problem_errors(exc: Problem) -> FieldErrors:
    """A service's 422 (or 409) as field errors: its ``errors`` member, or its title."""
    if exc.errors:
        merged: FieldErrors = {}
        for messages in exc.errors.values():
            merged.update(flat_errors(messages))
        return merged
    return {"_schema": [str(exc.description or exc.title)]}
