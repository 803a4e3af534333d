"""``/api/v1/public/<slug>/affairs``: what residents reach without an account.

The 民情二维码 on a building's door leads to the form; a submission returns the tracking
code, the resident's only key to their matter (no list of matters is ever public, and a
code names one matter of one community). The board shows what was done; an online
vote is cast by a resident the registry knows. Submissions and votes are rate-limited
per client address by the community's settings, on top of the core's limit on every
public request.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, request
from flask_babel import lazy_gettext as _l

from linli import db, storage
from linli.api.pagination import paged
from linli.api.problems import Problem
from linli.api.public_api import public_blueprint, throttle
from linli.identity.permissions import public
from linli.plugins.services import current_settings
from plugins.affairs import photos, services, voting
from plugins.affairs.models import Channel, Matter, Rating
from plugins.affairs.schemas import (
    AffairsBallotOut,
    AffairsBoardArgs,
    AffairsBoardOut,
    AffairsConfirmIn,
    AffairsFormArgs,
    AffairsFormOut,
    AffairsPollOut,
    AffairsPublicBallotIn,
    AffairsPublicMatterIn,
    AffairsRatingIn,
    AffairsRatingOut,
    AffairsReceiptOut,
    AffairsTrackOut,
)
from plugins.affairs.workflow import Workflow

MODULE = "affairs"
blp = public_blueprint(
    MODULE, __name__, description="民情二维码 Residents' public form, tracking and board"
)
ANONYMOUS: dict[str, Any] = {"security": []}


def _settings() -> dict[str, Any]:
    return current_settings(MODULE)


@blp.route("/form", methods=["GET"])
@public
@blp.doc(**ANONYMOUS)
@blp.arguments(AffairsFormArgs, location="query")
@blp.response(200, AffairsFormOut)
def form(args: dict[str, Any]) -> dict[str, Any]:
    """What the QR form offers: categories, buildings, the stages a matter goes through"""
    session = db.session()
    settings = _settings()
    services.check_building(session, args.get("building_id"), "query")
    return {
        "community": g.tenant.name,
        "categories": settings["categories"],
        "buildings": services.buildings(session),
        "building_id": args.get("building_id"),
        "stages": [
            {"key": rule.stage, "label": rule.label, "days": rule.days}
            for rule in Workflow.of(settings).rules
        ],
        "max_photos": settings["max_photos"],
    }


@blp.route("/matters", methods=["POST"])
@public
@blp.doc(**ANONYMOUS)
@blp.arguments(AffairsPublicMatterIn, location="form", content_type="multipart/form-data")
@blp.response(201, AffairsReceiptOut)
def submit(data: dict[str, Any]) -> dict[str, Any]:
    """提事 through the QR form (multipart/form-data), with up to the community's number of
    photos; answers the tracking code"""
    session = db.session()
    settings = _settings()
    throttle("affairs.intake", settings["intake_limit"])
    fields = {**data, "reporter_name": data.get("name"), "reporter_phone": data.get("phone")}
    fields.pop("photos", None)
    matter = services.raise_matter(session, fields, Channel.QR, settings, location="form")
    photos.add(session, matter, request.files.getlist("photos"), settings["max_photos"], "files")
    session.commit()
    return {**services.view(matter, settings)}


blp.before_request(storage.body_limit(photos.UPLOAD_BYTES, "affairs_public.submit"))


@blp.route("/matters/<string:code>", methods=["GET"])
@public
@blp.doc(**ANONYMOUS)
@blp.response(200, AffairsTrackOut)
def track(code: str) -> dict[str, Any]:
    """Where the resident's matter stands, by its tracking code (nothing about the reporter)"""
    session = db.session()
    return services.tracking(session, services.by_tracking_code(session, code), _settings())


@blp.route("/matters/<string:code>/confirmation", methods=["POST"])
@public
@blp.doc(**ANONYMOUS)
@blp.arguments(AffairsConfirmIn)
@blp.response(200, AffairsTrackOut)
def confirm(data: dict[str, Any], code: str) -> dict[str, Any]:
    """The resident confirms the matter is resolved (or says it is not: the work reopens)"""
    session = db.session()
    matter = services.by_tracking_code(session, code)
    services.confirm(session, matter, data["resolved"], data.get("comment"), _settings())
    session.commit()
    return services.tracking(session, matter, _settings())


@blp.route("/matters/<string:code>/rating", methods=["POST"])
@public
@blp.doc(**ANONYMOUS)
@blp.arguments(AffairsRatingIn)
@blp.response(201, AffairsRatingOut)
def rate(data: dict[str, Any], code: str) -> Rating:
    """评事: the reporter's satisfaction (once)"""
    session = db.session()
    matter = services.by_tracking_code(session, code)
    rating = services.rate_by_reporter(session, matter, data["score"], data.get("comment"))
    session.commit()
    return rating


@blp.route("/board", methods=["GET"])
@public
@blp.doc(**ANONYMOUS)
@blp.arguments(AffairsBoardArgs, location="query")
@blp.response(200, AffairsBoardOut(many=True))
@blp.paginate()
def board(args: dict[str, Any], pagination_parameters: Any) -> list[dict[str, Any]]:
    """晒事: the public board of what was done, newest first"""
    session = db.session()
    settings = _settings()
    if not settings["public_board"]:
        raise Problem(404, "board_off", _l("This community keeps no public board"))
    query = services.board_query(args.get("category"))
    page = paged(session, query, pagination_parameters, Matter.published_at.desc(), Matter.id)
    scores = services.average_score(session, [m.id for m in page])
    return [{**services.view(m, settings), "satisfaction": scores.get(m.id)} for m in page]


@blp.route("/polls/<uuid:poll_id>", methods=["GET"])
@public
@blp.doc(**ANONYMOUS)
@blp.response(200, AffairsPollOut)
def poll(poll_id: uuid.UUID) -> dict[str, Any]:
    """议事: a vote's question, options and tally"""
    session = db.session()
    return voting.summary(session, voting.poll_or_404(session, poll_id))


@blp.route("/polls/<uuid:poll_id>/ballots", methods=["POST"])
@public
@blp.doc(**ANONYMOUS)
@blp.arguments(AffairsPublicBallotIn)
@blp.response(201, AffairsBallotOut)
def vote(data: dict[str, Any], poll_id: uuid.UUID) -> Any:
    """Vote online: name and phone as the community's registry has them; one vote per
    resident (or household), until the vote closes"""
    session = db.session()
    throttle("affairs.vote", _settings()["vote_limit"])
    found = voting.poll_or_404(session, poll_id)
    ballot = voting.cast_online(session, found, data["name"], data["phone"], data["option"])
    session.commit()
    return ballot
