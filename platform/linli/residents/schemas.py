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


class PlaceUnitIn(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=50))


class PlaceUnitOut(Schema):
    id = fields.UUID()
    building_id = fields.UUID()
    name = fields.String()


class RoomIn(Schema):
    number = Text(required=True, validate=validate.Length(min=1, max=20))
    unit_id = fields.UUID(allow_none=True)
    floor = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=-5, max=200))


class RoomPatch(RoomIn):
    number = Text(validate=validate.Length(min=1, max=20))


class RoomOut(Schema):
    id = fields.UUID()
    building_id = fields.UUID()
    unit_id = fields.UUID(allow_none=True)
    number = fields.String()
    floor = fields.Integer(allow_none=True)


class GridIn(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=100))
    building_ids = fields.List(fields.UUID(), validate=validate.Length(max=500))


class GridPatch(GridIn):
    name = Text(validate=validate.Length(min=1, max=100))


class GridOut(Schema):
    id = fields.UUID()
    name = fields.String()
    building_ids = fields.List(fields.UUID())


class AssignmentIn(Schema):
    user_id = fields.UUID(required=True)
    role = fields.String(
        required=True, validate=validate.OneOf(["grid_worker", "building_head", "stairwell_head"])
    )
    grid_id = fields.UUID(allow_none=True)
    building_id = fields.UUID(allow_none=True)
    unit_id = fields.UUID(allow_none=True)


class AssignmentOut(AssignmentIn):
    id = fields.UUID()
