"""``/api/v1/t/<slug>/noticeboard``: the module's endpoints, gated on its enablement."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from flask.views import MethodView

from linli import db
from linli.api.tenant_api import tenant_blueprint, tenant_row_or_404
from linli.identity.permissions import require
from linli.plugins.services import current_settings
from plugins.noticeboard import services
from plugins.noticeboard.models import Notice
from plugins.noticeboard.permissions import READ, WRITE
from plugins.noticeboard.schemas import NoticeIn, NoticeOut

blp = tenant_blueprint(
    "noticeboard",
    __name__,
    suffix="/noticeboard",
    module="noticeboard",
    description="公告栏 Notices",
)


@blp.route("/notices")
class Notices(MethodView):
    @require(READ)
    @blp.response(200, NoticeOut(many=True))
    def get(self) -> Sequence[Notice]:
        """Notices still visible, pinned first"""
        return services.current_notices(db.session(), date.today())

    @require(WRITE)
    @blp.arguments(NoticeIn)
    @blp.response(201, NoticeOut)
    def post(self, data: dict[str, Any]) -> Notice:
        """Post a notice"""
        session = db.session()
        notice = services.post_notice(session, data, current_settings("noticeboard"), date.today())
        session.commit()
        return notice


@blp.route("/notices/<uuid:notice_id>")
class NoticeItem(MethodView):
    @require(READ)
    @blp.response(200, NoticeOut)
    def get(self, notice_id: uuid.UUID) -> Notice:
        """One notice"""
        return tenant_row_or_404(Notice, notice_id)

    @require(WRITE)
    @blp.response(204)
    def delete(self, notice_id: uuid.UUID) -> None:
        """Take a notice down"""
        session = db.session()
        session.delete(tenant_row_or_404(Notice, notice_id))
        session.commit()
