"""Schemas of the identity APIs. Secrets are write-only: no schema here dumps one."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from linli.api.fields import Text
from linli.tenancy.models import SLUG_PATTERN
from linli.tenancy.schemas import LOCALES

SCOPE_CHOICES = ("read", "write", "admin")


class UserIn(Schema):
    display_name = Text(required=True, validate=validate.Length(min=1, max=100))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    phone = Text(allow_none=True, validate=validate.Length(max=32))
    locale = fields.String(validate=validate.OneOf(LOCALES))
    password = fields.String(load_only=True, validate=validate.Length(min=10, max=1024))
    is_platform_admin = fields.Boolean()


class UserPatch(UserIn):
    display_name = Text(validate=validate.Length(min=1, max=100))
    status = fields.String(validate=validate.OneOf(["active", "disabled"]))


class UserOut(Schema):
    id = fields.UUID()
    display_name = fields.String()
    email = fields.String(allow_none=True)
    locale = fields.String()
    status = fields.String()
    is_platform_admin = fields.Boolean()
    created_at = fields.DateTime()


class TenantRoles(Schema):
    slug = fields.String()
    status = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    roles = fields.List(fields.String())


class TokenIn(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=100))
    scopes = fields.List(
        fields.String(validate=validate.OneOf(SCOPE_CHOICES)),
        required=True,
        validate=validate.Length(min=1, max=3),
    )
    expires_at = fields.AwareDateTime(allow_none=True)


class TokenOut(Schema):
    id = fields.UUID()
    name = fields.String()
    hint = fields.String()
    scopes = fields.List(fields.String())
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class IssuedTokenOut(TokenOut):
    token = fields.String(metadata={"description": "Shown once; store it now."})


class UserRef(Schema):
    user_id = fields.UUID(required=True)


class MembershipIn(UserRef):
    roles = fields.List(Text(validate=validate.Length(max=63)), required=True)


class MembershipPatch(Schema):
    roles = fields.List(Text(validate=validate.Length(max=63)), required=True)


class MembershipOut(Schema):
    user_id = fields.UUID()
    display_name = fields.String()
    roles = fields.List(fields.String())


class UnitIn(Schema):
    slug = Text(required=True, validate=validate.Regexp(SLUG_PATTERN))
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    name_en = Text(allow_none=True, validate=validate.Length(max=200))
    kind = Text(allow_none=True, validate=validate.Length(max=50))


class UnitPatch(Schema):
    name = Text(validate=validate.Length(min=1, max=200))
    name_en = Text(allow_none=True, validate=validate.Length(max=200))
    kind = Text(allow_none=True, validate=validate.Length(max=50))


class UnitOut(Schema):
    slug = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)


class UnitMemberIn(UserRef):
    is_unit_admin = fields.Boolean(load_default=False)


class UnitMemberOut(Schema):
    user_id = fields.UUID()
    display_name = fields.String()
    is_unit_admin = fields.Boolean()


class PartnershipIn(Schema):
    unit = Text(required=True, validate=validate.Regexp(SLUG_PATTERN))
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    roles = fields.List(Text(validate=validate.Length(max=63)), validate=validate.Length(min=1))


class PartnershipPatch(Schema):
    status = fields.String(validate=validate.OneOf(["active", "ended"]))
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    roles = fields.List(Text(validate=validate.Length(max=63)), validate=validate.Length(min=1))


class PartnershipOut(Schema):
    unit = fields.Function(lambda p: p.unit.slug)
    unit_name = fields.Function(lambda p: p.unit.name)
    status = fields.String()
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    roles = fields.List(fields.String())


class ProviderPatch(Schema):
    title = Text(validate=validate.Length(min=1, max=100))
    title_en = Text(allow_none=True, validate=validate.Length(max=100))
    metadata_url = fields.URL(require_tld=False, validate=validate.Length(max=500))
    client_id = Text(validate=validate.Length(min=1, max=255))
    client_secret = fields.String(
        load_only=True, allow_none=True, validate=validate.Length(max=500)
    )
    scopes = Text(validate=validate.Length(min=6, max=255))
    trust_email = fields.Boolean()
    enabled = fields.Boolean()


class ProviderIn(ProviderPatch):
    slug = Text(required=True, validate=validate.Regexp(SLUG_PATTERN))
    title = Text(required=True, validate=validate.Length(min=1, max=100))
    metadata_url = fields.URL(required=True, require_tld=False, validate=validate.Length(max=500))
    client_id = Text(required=True, validate=validate.Length(min=1, max=255))


class ProviderOut(Schema):
    slug = fields.String()
    title = fields.String()
    title_en = fields.String(allow_none=True)
    metadata_url = fields.String()
    client_id = fields.String()
    has_client_secret = fields.Function(lambda p: bool(p.client_secret))
    scopes = fields.String()
    trust_email = fields.Boolean()
    enabled = fields.Boolean()


class ClientIn(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=100))
    tenant = Text(validate=validate.Regexp(SLUG_PATTERN))
    bureau = Text(validate=validate.Regexp(SLUG_PATTERN))
    scopes = fields.List(
        fields.String(validate=validate.OneOf(SCOPE_CHOICES)),
        required=True,
        validate=validate.Length(min=1, max=3),
    )
    roles = fields.List(
        Text(validate=validate.Length(min=1, max=60)),
        load_default=list,
        validate=validate.Length(max=10),
        metadata={"description": "Module roles in the client's community (tenant clients only)"},
    )


class ClientOut(Schema):
    id = fields.UUID()
    client_id = fields.String()
    name = fields.String()
    scopes = fields.List(fields.String())
    roles = fields.List(fields.String())
    revoked_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class IssuedClientOut(ClientOut):
    client_secret = fields.String(metadata={"description": "Shown once; store it now."})


class AuditArgs(Schema):
    action = Text(validate=validate.Length(max=100))
    actor = Text(validate=validate.Length(max=100))


class AuditOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    tenant_id = fields.Integer(allow_none=True)
    actor = fields.String(allow_none=True)
    action = fields.String()
    target_type = fields.String()
    target_id = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    before_digest = fields.String(allow_none=True)
    after_digest = fields.String(allow_none=True)
    changed = fields.List(fields.String())
