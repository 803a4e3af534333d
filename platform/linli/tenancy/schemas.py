"""Marshmallow schemas of the platform and tenant-summary APIs."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from linli.api.fields import Text
from linli.tenancy.models import SLUG_PATTERN, TenantStatus

LOCALES = ("zh_CN", "en")


class BureauIn(Schema):
    slug = Text(required=True, validate=validate.Regexp(SLUG_PATTERN))
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    name_en = Text(allow_none=True, validate=validate.Length(max=200))
    city = Text(allow_none=True, validate=validate.Length(max=200))


class BureauOut(Schema):
    slug = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    created_at = fields.DateTime()


class ModuleChoice(Schema):
    enabled = fields.Boolean(load_default=True)
    settings = fields.Dict(keys=fields.String(), load_default=dict)


class FirstAdmin(Schema):
    email = fields.Email(required=True)
    name = Text(required=True, validate=validate.Length(min=1, max=100))


class TenantIn(Schema):
    """Onboarding: the community, its modules with settings, and its first admins."""

    slug = Text(required=True, validate=validate.Regexp(SLUG_PATTERN))
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    name_en = Text(allow_none=True, validate=validate.Length(max=200))
    bureau = Text(required=True, validate=validate.Regexp(SLUG_PATTERN))
    locale = fields.String(load_default="zh_CN", validate=validate.OneOf(LOCALES))
    modules = fields.Dict(
        keys=fields.String(validate=validate.Length(max=31)),
        values=fields.Nested(ModuleChoice),
        load_default=dict,
    )
    admins = fields.List(fields.Nested(FirstAdmin), load_default=list)


class TenantPatch(Schema):
    name = Text(validate=validate.Length(min=1, max=200))
    name_en = Text(allow_none=True, validate=validate.Length(max=200))
    bureau = Text(validate=validate.Regexp(SLUG_PATTERN))
    locale = fields.String(validate=validate.OneOf(LOCALES))


class TenantOut(Schema):
    slug = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    bureau = fields.Function(lambda tenant: tenant.bureau.slug)
    status = fields.String(validate=validate.OneOf([s.value for s in TenantStatus]))
    locale = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class TenantListArgs(Schema):
    bureau = Text(validate=validate.Regexp(SLUG_PATTERN))
    status = fields.String(validate=validate.OneOf([s.value for s in TenantStatus]))


class PlaceCounts(Schema):
    compounds = fields.Integer()
    buildings = fields.Integer()


class TenantSummary(Schema):
    slug = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    status = fields.String()
    locale = fields.String()
    bureau = fields.Nested(BureauOut)
    places = fields.Nested(PlaceCounts)


class TenantArchive(Schema):
    """A tenant export (format ``linli-tenant-export/1``); module parts vary by plugin."""

    format = fields.String()
    exported_at = fields.String()
    tenant = fields.Dict()
    members = fields.List(fields.Dict())
    partnerships = fields.List(fields.Dict())
    settings = fields.Dict()
    compounds = fields.List(fields.Dict())
    buildings = fields.List(fields.Dict())
    registry = fields.Dict(metadata={"description": "units, rooms, grids, households, residents"})
    modules = fields.Dict()
