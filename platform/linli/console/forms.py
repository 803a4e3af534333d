"""Reading posted console forms with the same marshmallow schemas as the JSON API, so a
rule is checked once; errors come back per field, to be shown next to it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import flash, request
from marshmallow import Schema, ValidationError

from linli import db
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
    if exc.description:
        return {"_schema": [f"{exc.title}：{exc.description}"]}
    return {"_schema": [str(exc.title)]}


#: Problems a form shows next to its fields: the data (422) or the state it met (409).
FORM_PROBLEMS = (409, 422)


def attempt(message: Any, action: Callable[..., object], *args: Any) -> FieldErrors:
    """Run a service call ``action(session, *args)`` and commit it (flashing ``message``),
    or roll it back and return its problem as field errors; a refusal of the caller
    (403, 404 …) stays an error page."""
    session = db.session()
    try:
        action(session, *args)
    except Problem as exc:
        session.rollback()
        if exc.code not in FORM_PROBLEMS:
            raise
        return problem_errors(exc)
    session.commit()
    flash(str(message))
    return {}


def flash_errors(errors: FieldErrors) -> None:
    """A button's refusal (no field to show it by) as a message on the page it returns to."""
    for messages in errors.values():
        for message in messages:
            flash(message, "error")


def whole(text: Any) -> Any:
    """A typed whole number as the API's strict integer fields want it (anything else as
    typed, for the schema to refuse next to its field)."""
    try:
        return int(text)
    except (TypeError, ValueError):
        return text
