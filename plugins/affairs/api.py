"""``/api/v1/t/<slug>/affairs``: the staff's and the hotline bridge's endpoints; views only
translate HTTP (the rules are in :mod:`plugins.affairs.services`)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_babel import lazy_gettext as _l

from linli import db, storage
from linli.api.pagination import paged
from linli.api.problems import Problem
from linli.api.tenant_api import tenant_blueprint, tenant_row_or_404
from linli.identity.permissions import require
from linli.plugins.services import current_settings
from linli.qrcodes import MEDIA_TYPES
from plugins.affairs import hotline, photos, services, statistics, voting
from plugins.affairs.models import Channel, Matter, Photo, Rating, Visit
from plugins.affairs.permissions import HOTLINE, HOTLINE_READ, MANAGE, READ, WRITE
from plugins.affairs.schemas import (
    AffairsAcceptIn,
    AffairsAckIn,
    AffairsAckOut,
    AffairsBallotIn,
    AffairsBallotOut,
    AffairsCloseIn,
    AffairsEventOut,
    AffairsHotlineConfirmIn,
    AffairsMatterIn,
    AffairsMatterOut,
    AffairsMatterPatch,
    AffairsMatterQuery,
    AffairsNoteIn,
    AffairsPhotoOut,
    AffairsPhotosIn,
    AffairsPlanIn,
    AffairsPollIn,
    AffairsPollOut,
    AffairsPublishIn,
    AffairsQrArgs,
    AffairsRatingIn,
    AffairsRatingOut,
    AffairsReasonIn,
    AffairsResultIn,
    AffairsStatsArgs,
    AffairsStatsOut,
    AffairsTicketIn,
    AffairsTicketOut,
    AffairsUpdateOut,
    AffairsVisitIn,
    AffairsVisitOut,
)

MODULE = "affairs"
_BINARY = {"schema": {"type": "string", "format": "binary"}}
QR_CONTENT = {"image/png": _BINARY, "image/svg+xml": _BINARY}
blp = tenant_blueprint(
    MODULE,
    __name__,
    suffix="/affairs",
    module=MODULE,
    description="民生实事 Resident affairs: 六事/五事 workflow, 实事微清单, 12345",
)


def _settings() -> dict[str, Any]:
    return current_settings(MODULE)


def _matter(matter_id: uuid.UUID) -> Matter:
    return tenant_row_or_404(Matter, matter_id)


def _shown(matter: Matter) -> dict[str, Any]:
    """The matter as the API shows it, after committing what the view changed."""
    db.session().commit()
    return services.view(matter, _settings())


# --- the tracked list ----------------------------------------------------------------------


@blp.route("/matters")
class Matters(MethodView):
    @require(READ)
    @blp.arguments(AffairsMatterQuery, location="query")
    @blp.response(200, AffairsMatterOut(many=True))
    @blp.paginate()
    def get(self, filters: dict[str, Any], pagination_parameters: Any) -> list[dict[str, Any]]:
        """实事微清单: the tracked list, newest first (by stage, category, building …)"""
        query = services.matters_query(filters)
        page = paged(db.session(), query, pagination_parameters, Matter.raised_at.desc(), Matter.id)
        settings = _settings()
        return [services.view(matter, settings) for matter in page]

    @require(WRITE)
    @blp.arguments(AffairsMatterIn)
    @blp.response(201, AffairsMatterOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """提事 on a resident's behalf (a visit, a call, a 睦邻恳谈): a new file"""
        matter = services.raise_matter(db.session(), data, Channel.STAFF, _settings())
        return _shown(matter)


@blp.route("/matters/<uuid:matter_id>")
class MatterItem(MethodView):
    @require(READ)
    @blp.response(200, AffairsMatterOut)
    def get(self, matter_id: uuid.UUID) -> dict[str, Any]:
        """One matter's file"""
        return services.view(_matter(matter_id), _settings())

    @require(MANAGE)
    @blp.arguments(AffairsMatterPatch)
    @blp.response(200, AffairsMatterOut)
    def patch(self, data: dict[str, Any], matter_id: uuid.UUID) -> dict[str, Any]:
        """Correct a matter while its work is open (title, category, building, place)"""
        matter = _matter(matter_id)
        services.update(db.session(), matter, data, _settings())
        return _shown(matter)


@blp.route("/matters/<uuid:matter_id>/events", methods=["GET"])
@require(READ)
@blp.response(200, AffairsEventOut(many=True))
def matter_events(matter_id: uuid.UUID) -> list[Any]:
    """Everything that happened to the matter, oldest first"""
    return services.events(db.session(), _matter(matter_id))


@blp.route("/matters/<uuid:matter_id>/photos")
class MatterPhotos(MethodView):
    @require(READ)
    @blp.response(200, AffairsPhotoOut(many=True))
    def get(self, matter_id: uuid.UUID) -> list[Photo]:
        """The matter's photos"""
        return photos.listed(db.session(), _matter(matter_id))

    @require(WRITE)
    @blp.arguments(AffairsPhotosIn, location="files")
    @blp.response(201, AffairsPhotoOut(many=True))
    def post(self, _files: dict[str, Any], matter_id: uuid.UUID) -> list[Photo]:
        """Add photos of the work or the result (multipart field ``photos``: JPEG or PNG,
        up to 5 MB each, 9 at a time)"""
        session = db.session()
        files = request.files.getlist("photos")
        added = photos.add(session, _matter(matter_id), files, 9, "files", required=True)
        session.commit()
        return added


@blp.route("/matters/<uuid:matter_id>/photos/<uuid:photo_id>", methods=["GET"])
@require(READ)
def photo_file(matter_id: uuid.UUID, photo_id: uuid.UUID) -> Response:
    """A photo's image"""
    photo, path = photos.file_of(db.session(), _matter(matter_id), photo_id)
    if not path.is_file():
        raise Problem(410, "file_gone", _l("The file is no longer kept."))
    return Response(path.read_bytes(), mimetype=photo.content_type)


blp.before_request(storage.body_limit(photos.UPLOAD_BYTES, "affairs.MatterPhotos"))


# --- the stages ----------------------------------------------------------------------------


@blp.route("/matters/<uuid:matter_id>/accept", methods=["POST"])
@require(MANAGE)
@blp.arguments(AffairsAcceptIn)
@blp.response(200, AffairsMatterOut)
def accept(data: dict[str, Any], matter_id: uuid.UUID) -> dict[str, Any]:
    """受理: take the matter on (to 议事, or to 理事 where the community votes on nothing)"""
    matter = _matter(matter_id)
    services.accept(db.session(), matter, data, _settings())
    return _shown(matter)


@blp.route("/matters/<uuid:matter_id>/decline", methods=["POST"])
@require(MANAGE)
@blp.arguments(AffairsReasonIn)
@blp.response(200, AffairsMatterOut)
def decline(data: dict[str, Any], matter_id: uuid.UUID) -> dict[str, Any]:
    """不予受理, with the reason the resident reads with their tracking code"""
    matter = _matter(matter_id)
    services.decline(db.session(), matter, data["reason"])
    return _shown(matter)


@blp.route("/matters/<uuid:matter_id>/poll")
class MatterPoll(MethodView):
    @require(READ)
    @blp.response(200, AffairsPollOut)
    def get(self, matter_id: uuid.UUID) -> dict[str, Any]:
        """议事: the matter's vote and its tally so far"""
        session = db.session()
        poll = services.poll_of(session, _matter(matter_id))
        if poll is None:
            raise Problem(404, "no_poll", _l("This matter has no vote"))
        return voting.summary(session, poll)

    @require(MANAGE)
    @blp.arguments(AffairsPollIn)
    @blp.response(201, AffairsPollOut)
    def post(self, data: dict[str, Any], matter_id: uuid.UUID) -> dict[str, Any]:
        """议事: open the residents' same-day vote (closes after the community's vote_hours)"""
        session = db.session()
        poll = services.open_poll(session, _matter(matter_id), data, _settings())
        session.commit()
        return voting.summary(session, poll)


@blp.route("/polls/<uuid:poll_id>/ballots", methods=["POST"])
@require(WRITE)
@blp.arguments(AffairsBallotIn)
@blp.response(201, AffairsBallotOut)
def staff_ballot(data: dict[str, Any], poll_id: uuid.UUID) -> Any:
    """Record a registry resident's vote given in person (one per resident or household)"""
    session = db.session()
    poll = voting.poll_or_404(session, poll_id)
    ballot = voting.cast_for_resident(session, poll, data["resident_id"], data["option"])
    session.commit()
    return ballot


@blp.route("/matters/<uuid:matter_id>/plan", methods=["POST"])
@require(MANAGE)
@blp.arguments(AffairsPlanIn)
@blp.response(200, AffairsMatterOut)
def plan(data: dict[str, Any], matter_id: uuid.UUID) -> dict[str, Any]:
    """理事: owner, plan and deadline, once the vote closed (the next day)"""
    matter = _matter(matter_id)
    services.plan(db.session(), matter, data, _settings())
    return _shown(matter)


@blp.route("/matters/<uuid:matter_id>/progress", methods=["POST"])
@require(WRITE)
@blp.arguments(AffairsNoteIn)
@blp.response(201, AffairsEventOut)
def progress(data: dict[str, Any], matter_id: uuid.UUID) -> Any:
    """办事: a progress note (public ones show on the resident's tracking page)"""
    session = db.session()
    event = services.progress(session, _matter(matter_id), data["note"], data["public"])
    session.commit()
    return event


@blp.route("/matters/<uuid:matter_id>/done", methods=["POST"])
@require(MANAGE)
@blp.arguments(AffairsResultIn)
@blp.response(200, AffairsMatterOut)
def done(data: dict[str, Any], matter_id: uuid.UUID) -> dict[str, Any]:
    """The work is done: the result, on to 晒事"""
    matter = _matter(matter_id)
    services.done(db.session(), matter, data["result"], _settings())
    return _shown(matter)


@blp.route("/matters/<uuid:matter_id>/publish", methods=["POST"])
@require(MANAGE)
@blp.arguments(AffairsPublishIn)
@blp.response(200, AffairsMatterOut)
def publish(data: dict[str, Any], matter_id: uuid.UUID) -> dict[str, Any]:
    """晒事: put the result on the public board; residents may rate it (评事)"""
    matter = _matter(matter_id)
    services.publish(db.session(), matter, data.get("note"), _settings())
    return _shown(matter)


@blp.route("/matters/<uuid:matter_id>/ratings")
class MatterRatings(MethodView):
    @require(READ)
    @blp.response(200, AffairsRatingOut(many=True))
    def get(self, matter_id: uuid.UUID) -> list[Rating]:
        """评事: residents' ratings of the matter"""
        return services.ratings(db.session(), _matter(matter_id))

    @require(WRITE)
    @blp.arguments(AffairsRatingIn)
    @blp.response(201, AffairsRatingOut)
    def post(self, data: dict[str, Any], matter_id: uuid.UUID) -> Rating:
        """Record a rating a resident gave on paper or at a meeting"""
        session = db.session()
        rating = services.rate(
            session, _matter(matter_id), data["score"], data.get("comment"), "staff"
        )
        session.commit()
        return rating


@blp.route("/matters/<uuid:matter_id>/visits")
class MatterVisits(MethodView):
    @require(READ)
    @blp.response(200, AffairsVisitOut(many=True))
    def get(self, matter_id: uuid.UUID) -> list[Visit]:
        """回访: the follow-ups with the resident"""
        return services.visits(db.session(), _matter(matter_id))

    @require(WRITE)
    @blp.arguments(AffairsVisitIn)
    @blp.response(201, AffairsVisitOut)
    def post(self, data: dict[str, Any], matter_id: uuid.UUID) -> Visit:
        """Record a follow-up (reached or not; found unresolved, it reopens the work)"""
        session = db.session()
        row = services.visit(session, _matter(matter_id), data, _settings())
        session.commit()
        return row


@blp.route("/matters/<uuid:matter_id>/close", methods=["POST"])
@require(MANAGE)
@blp.arguments(AffairsCloseIn)
@blp.response(200, AffairsMatterOut)
def close(data: dict[str, Any], matter_id: uuid.UUID) -> dict[str, Any]:
    """销号: only on the resident's confirmation or a visit that reached them"""
    matter = _matter(matter_id)
    services.close(db.session(), matter, data["basis"])
    return _shown(matter)


@blp.route("/matters/<uuid:matter_id>/transfer", methods=["POST"])
@require(MANAGE)
@blp.arguments(AffairsReasonIn)
@blp.response(200, AffairsMatterOut)
def transfer(data: dict[str, Any], matter_id: uuid.UUID) -> dict[str, Any]:
    """Hand the matter to the city hotline (12345): its bridge fetches the request"""
    matter = _matter(matter_id)
    services.transfer(db.session(), matter, data["reason"])
    return _shown(matter)


# --- figures and the QR code ---------------------------------------------------------------


@blp.route("/statistics", methods=["GET"])
@require(READ)
@blp.arguments(AffairsStatsArgs, location="query")
@blp.response(200, AffairsStatsOut)
def figures(args: dict[str, Any]) -> dict[str, Any]:
    """Matters by category and stage, time to close, and the hotline's six indicators"""
    return statistics.figures(db.session(), _settings(), args.get("since"), args.get("until"))


@blp.route("/qr", methods=["GET"])
@require(READ)
@blp.arguments(AffairsQrArgs, location="query")
@blp.doc(responses={"200": {"description": "The code", "content": QR_CONTENT}})
def qr_code(args: dict[str, Any]) -> Response:
    """民情二维码: the code to print for the community, or for one building"""
    image = services.qr_code(db.session(), args.get("building_id"), args["format"], _settings())
    return Response(image, mimetype=MEDIA_TYPES[args["format"]])


# --- the city hotline (12345) --------------------------------------------------------------


@blp.route("/hotline/tickets", methods=["POST"])
@require(HOTLINE)
@blp.arguments(AffairsTicketIn)
@blp.response(201, AffairsTicketOut)
def receive_ticket(data: dict[str, Any]) -> dict[str, Any]:
    """派单: a hotline ticket becomes a matter of the tracked list"""
    matter = hotline.receive(db.session(), data, _settings())
    return _shown(matter)


@blp.route("/hotline/tickets/<string:ticket_no>", methods=["GET"])
@require(HOTLINE_READ)
@blp.response(200, AffairsTicketOut)
def ticket_status(ticket_no: str) -> dict[str, Any]:
    """Where the ticket's matter stands"""
    return services.view(hotline.ticket(db.session(), ticket_no), _settings())


@blp.route("/hotline/tickets/<string:ticket_no>/confirmation", methods=["POST"])
@require(HOTLINE)
@blp.arguments(AffairsHotlineConfirmIn)
@blp.response(200, AffairsTicketOut)
def ticket_confirmation(data: dict[str, Any], ticket_no: str) -> dict[str, Any]:
    """The hotline's call-back: the resident's word (resolved or not) and satisfaction"""
    session = db.session()
    matter = hotline.ticket(session, ticket_no)
    hotline.confirmation(session, matter, data, _settings())
    return _shown(matter)


@blp.route("/hotline/updates", methods=["GET"])
@require(HOTLINE_READ)
@blp.response(200, AffairsUpdateOut(many=True))
def hotline_updates() -> list[dict[str, Any]]:
    """Status changes of the hotline's tickets and transfer requests not yet acknowledged
    (oldest first, 200 at a time)"""
    return hotline.pending(db.session())


@blp.route("/hotline/updates/ack", methods=["POST"])
@require(HOTLINE)
@blp.arguments(AffairsAckIn)
@blp.response(200, AffairsAckOut)
def hotline_ack(data: dict[str, Any]) -> dict[str, int]:
    """Acknowledge updates (a transfer request with the hotline's new ticket number)"""
    session = db.session()
    count = hotline.acknowledge(session, data["updates"])
    session.commit()
    return {"acknowledged": count}
