"""Settings and API schemas of the notice board."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from linli.api.fields import Text


class NoticeboardSettings(Schema):
    """Per-community settings; every field has a default."""

    max_pinned = fields.Integer(
        load_default=3,
        validate=validate.Range(min=0, max=10),
        metadata={
            "title": _l("Most pinned notices"),
            "description": _l("How many notices may be pinned at the top at once."),
        },
    )
    days_visible = fields.Integer(
        load_default=30,
        validate=validate.Range(min=1, max=365),
        metadata={
            "title": _l("Days visible"),
            "description": _l("How long a new notice stays on the board unless told otherwise."),
        },
    )
    keep_days = fields.Integer(
        load_default=180,
        validate=validate.Range(min=0, max=3650),
        metadata={
            "title": _l("Days kept"),
            "description": _l("Days an expired notice is kept before it is deleted (0: at once)."),
        },
    )


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
