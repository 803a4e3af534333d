"""Schemas of the places API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from linli.api.fields import Text


class CompoundIn(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    address = Text(allow_none=True, validate=validate.Length(max=500))


class CompoundPatch(CompoundIn):
    name = Text(validate=validate.Length(min=1, max=200))


class CompoundOut(Schema):
    id = fields.UUID()
    name = fields.String()
    address = fields.String(allow_none=True)
    created_at = fields.DateTime()


class BuildingIn(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=100))
    floors = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=200))


class BuildingPatch(BuildingIn):
    name = Text(validate=validate.Length(min=1, max=100))


class BuildingOut(Schema):
    id = fields.UUID()
    compound_id = fields.UUID()
    name = fields.String()
    floors = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
