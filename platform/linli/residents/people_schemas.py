"""Schemas of the residents API: what may be written, and the masked view returned."""

from __future__ import annotations

from enum import StrEnum

from marshmallow import Schema, fields, validate

from linli.api.fields import Text
from linli.residents.people import Gender, IdType, Relation, Residency

_CODE = validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$")


def _choice(values: type[StrEnum]) -> validate.OneOf:
    return validate.OneOf([member.value for member in values])


class ResidentIn(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=100))
    gender = fields.String(validate=_choice(Gender))
    birth_date = fields.Date(allow_none=True)
    phone = Text(allow_none=True, validate=validate.Length(min=5, max=30))
    id_type = fields.String(allow_none=True, validate=_choice(IdType))
    id_number = Text(allow_none=True, validate=validate.Length(min=5, max=40))
    room_id = fields.UUID(allow_none=True)
    household_id = fields.UUID(allow_none=True)
    relation = fields.String(allow_none=True, validate=_choice(Relation))
    residency = fields.String(load_default=str(Residency.PERMANENT), validate=_choice(Residency))
    purpose = Text(
        required=True,
        validate=validate.Length(min=2, max=200),
        metadata={"description": "Why the data was collected (个人信息处理目的)"},
    )
    tags = fields.List(fields.String(validate=_CODE), validate=validate.Length(max=30))


class ResidentPatch(ResidentIn):
    name = Text(validate=validate.Length(min=1, max=100))
    residency = fields.String(validate=_choice(Residency))
    purpose = Text(validate=validate.Length(min=2, max=200))


class ResidentOut(Schema):
    id = fields.UUID()
    name = fields.String()
    gender = fields.String()
    age = fields.Integer(allow_none=True)
    birth_date = fields.Date(allow_none=True)
    phone = fields.String(allow_none=True, metadata={"description": "masked: 138****5678"})
    id_type = fields.String(allow_none=True)
    id_number = fields.String(allow_none=True, metadata={"description": "masked"})
    room_id = fields.UUID(allow_none=True)
    household_id = fields.UUID(allow_none=True)
    relation = fields.String(allow_none=True)
    residency = fields.String()
    purpose = fields.String()
    address = fields.String(allow_none=True)
    tags = fields.List(fields.String(), metadata={"description": "typed-in and derived tags"})
    erased = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    possible_duplicates = fields.List(
        fields.UUID(), metadata={"description": "same name and phone (on create)"}
    )


class ResidentQuery(Schema):
    q = Text(validate=validate.Length(min=1, max=100), metadata={"description": "name contains"})
    phone_tail = fields.String(validate=validate.Regexp(r"^\d{4}$"))
    compound_id = fields.UUID()
    building_id = fields.UUID()
    household_id = fields.UUID()
    tag = fields.List(fields.String(validate=_CODE), validate=validate.Length(max=5))
    age_min = fields.Integer(validate=validate.Range(min=0, max=150))
    age_max = fields.Integer(validate=validate.Range(min=0, max=150))
    residency = fields.String(validate=_choice(Residency))
    include_erased = fields.Boolean(load_default=False)


class IdentityOut(Schema):
    id_number = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class MergeIn(Schema):
    keep_id = fields.UUID(required=True)
    duplicate_id = fields.UUID(required=True)


class MergeOut(Schema):
    kept = fields.Nested(ResidentOut)
    moved_references = fields.Integer()


class CardOut(Schema):
    id = fields.UUID()
    name = fields.String()
    gender = fields.String()
    age = fields.Integer(allow_none=True)
    phone_masked = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    residency = fields.String()
    tags = fields.List(fields.String())


class LookupQuery(Schema):
    q = Text(required=True, validate=validate.Length(min=1, max=100))


class TagIn(Schema):
    code = fields.String(required=True, validate=_CODE)
    name = Text(required=True, validate=validate.Length(min=1, max=50))
    name_en = Text(allow_none=True, validate=validate.Length(max=80))


class TagOut(Schema):
    code = fields.String()
    name = fields.String()
    derived = fields.Boolean()
    built_in = fields.Boolean()


class HouseholdIn(Schema):
    room_id = fields.UUID(allow_none=True)
    number = Text(allow_none=True, validate=validate.Length(max=50))


class HouseholdPatch(HouseholdIn):
    pass


class HouseholdMemberOut(Schema):
    id = fields.UUID()
    name = fields.String()
    relation = fields.String(allow_none=True)
    age = fields.Integer(allow_none=True)
    tags = fields.List(fields.String())


class HouseholdOut(Schema):
    id = fields.UUID()
    room_id = fields.UUID(allow_none=True)
    number = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    members = fields.List(fields.Nested(HouseholdMemberOut))
