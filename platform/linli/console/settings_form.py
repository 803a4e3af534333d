"""A module's settings form, generated from its settings schema (JSON Schema), and the
posted form read back into the settings the plugin validates.

The plugin never writes HTML for its settings: each JSON Schema property becomes one
field (text, number, checkbox, choice, one-item-per-line list, or JSON for nested
objects), labelled by the property's ``title`` and explained by its ``description``.
Whatever the reading cannot make sense of is passed on as typed, so the plugin's own
validation reports it next to the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from linli.console.forms import FieldErrors, flat_errors
from linli.plugins.manifest import PluginManifest
from linli.plugins.schemas import settings_json_schema

SCALARS = {"integer": "number", "number": "number", "string": "text"}


@dataclass(frozen=True)
class SettingsField:
    name: str
    label: Any
    kind: str  # text, number, checkbox, select, lines, json
    value: Any
    help: Any = None
    options: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    step: str | None = None


def _kind(spec: Mapping[str, Any]) -> str:
    if "enum" in spec:
        return "select"
    kind = spec.get("type")
    if kind == "boolean":
        return "checkbox"
    if kind == "array":
        items = spec.get("items", {})
        return "lines" if items.get("type") in SCALARS else "json"
    return SCALARS.get(str(kind), "json")


def _shown(kind: str, value: Any) -> Any:
    if kind == "lines":
        return "\n".join(str(item) for item in value or ())
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, indent=2)
    return value


def _errors_of(name: str, errors: FieldErrors) -> tuple[str, ...]:
    """A field's messages, its items' included (``categories.0`` → ``0: …``)."""
    return tuple(
        message if key == name else f"{key[len(name) + 1 :]}: {message}"
        for key, messages in errors.items()
        if key == name or key.startswith(f"{name}.")
        for message in messages
    )


def settings_fields(
    manifest: PluginManifest, values: Mapping[str, Any], errors: Mapping[str, Any] | None = None
) -> list[SettingsField]:
    properties = settings_json_schema(manifest).get("properties", {})
    flat = flat_errors(errors or {})
    fields = []
    for name, spec in properties.items():
        kind = _kind(spec)
        raw = values.get(name, spec.get("default"))
        step = "any" if spec.get("type") == "number" else "1" if kind == "number" else None
        fields.append(
            SettingsField(
                name=name,
                label=spec.get("title") or name.replace("_", " ").capitalize(),
                kind=kind,
                value=raw
                if isinstance(raw, str) and kind in ("lines", "json")
                else _shown(kind, raw),
                help=spec.get("description"),
                options=tuple(spec.get("enum", ())),
                errors=_errors_of(name, flat),
                step=step,
            )
        )
    return fields


def _number(text: str, integer: bool) -> Any:
    try:
        return int(text) if integer else float(text)
    except ValueError:
        return text  # the schema says "Not a valid number." next to the field


def _read(spec: Mapping[str, Any], kind: str, form: Mapping[str, str], name: str) -> Any:
    text = form.get(name, "")
    if kind == "checkbox":
        return name in form
    if kind == "number":
        return _number(text.strip(), spec.get("type") == "integer")
    if kind == "lines":
        item_type = spec.get("items", {}).get("type")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if item_type in ("integer", "number"):
            return [_number(line, item_type == "integer") for line in lines]
        return lines
    if kind == "json":
        return json.loads(text) if text.strip() else None
    return text


def read_settings(
    manifest: PluginManifest, form: Mapping[str, str], prefix: str = ""
) -> dict[str, Any]:
    """The posted settings (fields named ``prefix + property``); raises
    :class:`UnreadableSettings` for JSON that is not."""
    properties = settings_json_schema(manifest).get("properties", {})
    data: dict[str, Any] = {}
    unreadable: dict[str, list[str]] = {}
    for name, spec in properties.items():
        try:
            value = _read(spec, _kind(spec), form, prefix + name)
        except json.JSONDecodeError as exc:
            unreadable[name] = [str(_l("Not valid JSON: %(error)s", error=exc.msg))]
            continue
        if value is not None:
            data[name] = value
    if unreadable:
        raise UnreadableSettings(data, unreadable)
    return data


class UnreadableSettings(Exception):
    """Fields that could not be read at all (the rest is kept to show it again)."""

    def __init__(self, data: dict[str, Any], messages: dict[str, list[str]]) -> None:
        super().__init__(messages)
        self.data = data
        self.messages = messages
