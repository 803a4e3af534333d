"""``/api/v1/me/partners``: a partner unit's member's work in all their communities."""

from __future__ import annotations

from flask.views import MethodView

from linli import db
from linli.api.smorest import Blueprint
from linli.identity.permissions import authenticated
from plugins.partners import reporting
from plugins.partners.schemas import CommunityWorkOut

me_blp = Blueprint(
    "partners_me",
    __name__,
    url_prefix="/api/v1/me/partners",
    description="共建单位 Partner units: the caller's work across communities",
)


@me_blp.route("/communities")
class MyCommunities(MethodView):
    @authenticated
    @me_blp.response(200, CommunityWorkOut(many=True))
    def get(self) -> list[reporting.CommunityWork]:
        """Each community where the caller works with the module: the open needs their unit
        could meet, their projects, and their service hours"""
        return reporting.my_work(db.session())
