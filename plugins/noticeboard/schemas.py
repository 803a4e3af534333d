"""Settings and API schemas of the notice board."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from linli.api.fields import Text


class NoticeboardSettings(Schema):
    """Per-community settings; every field has a default."""

    max_pinned = fields.Integer(load_default=3, validate=validate.Range(min=0, max=10))
    days_visible = fields.Integer(load_default=30, validate=validate.Range(min=1, max=365))
    keep_days = fields.Integer(load_default=180, validate=validate.Range(min=0, max=3650))


class NoticeIn(Schema):
    title = Text(required=True, validate=validate.Length(min=1, max=200))
    body = Text(required=True, multiline=True, validate=validate.Length(min=1, max=10000))
    compound_id = fields.UUID(allow_none=True)
    pinned = fields.Boolean(load_default=False)
    visible_until = fields.Date()


class NoticeOut(Schema):
    id = fields.UUID()
    title = fields.String()
    body = fields.String()
    compound_id = fields.UUID(allow_none=True)
    pinned = fields.Boolean()
    visible_until = fields.Date()
    created_at = fields.DateTime()
