"""Schemas of the module APIs."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from linli.plugins.manifest import PluginManifest


def settings_json_schema(manifest: PluginManifest) -> dict[str, Any]:
    """The settings schema as JSON Schema, so a console can generate the form."""
    if manifest.settings_schema is None:
        return {"type": "object", "properties": {}, "additionalProperties": False}
    converter = MarshmallowPlugin()
    converter.init_spec(APISpec("settings", "1", "3.0.3", plugins=[converter]))
    assert converter.converter is not None
    schema: dict[str, Any] = converter.converter.schema2jsonschema(  # type: ignore[no-untyped-call]
        manifest.settings_schema()
    )
    return schema


class ModuleOut(Schema):
    name = fields.Function(lambda s: s.manifest.name)
    title = fields.Function(lambda s: s.manifest.title)
    title_en = fields.Function(lambda s: s.manifest.title_en)
    version = fields.Function(lambda s: s.manifest.version)
    enabled = fields.Boolean()
    settings = fields.Dict()


class ModulePut(Schema):
    """The full desired state: settings replace the stored ones."""

    enabled = fields.Boolean(required=True)
    settings = fields.Dict(load_default=dict)


class ModulePatch(Schema):
    """A partial change: given settings are merged into the stored ones."""

    enabled = fields.Boolean()
    settings = fields.Dict()


class PluginOut(Schema):
    name = fields.String()
    title = fields.String()
    title_en = fields.String()
    description = fields.String()
    description_en = fields.String()
    version = fields.String()
    settings_schema = fields.Dict()
    default_settings = fields.Dict()
    roles = fields.List(fields.String())
    permissions = fields.List(fields.String())


class BrokenPluginOut(Schema):
    name = fields.String()
    source = fields.String()
    reason = fields.String()


class CatalogueOut(Schema):
    plugins = fields.List(fields.Nested(PluginOut))
    broken = fields.List(fields.Nested(BrokenPluginOut))
