"""``/p/<slug>/affairs``: the residents' pages, for a phone and no account.

The 民情二维码 leads to the form (a building's code fills in the building); a submission
answers with the tracking code, the resident's only key to their matter: its page shows
where it stands, and lets the resident confirm the result (or say it is not resolved,
which reopens the work) and rate it. The vote page takes a vote from a resident the
registry knows; the board shows what was done. Each page calls the services the JSON
routes of :mod:`plugins.affairs.public_api` call, under the same limits: the core's
count on every request, ``intake_limit`` on submissions, ``vote_limit`` on votes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from linli import db
from linli.api.pagination import page_of
from linli.api.problems import Problem
from linli.api.public_api import throttle
from linli.api.public_pages import public_pages
from linli.console.forms import FieldErrors, load, posted, problem_errors, whole
from linli.identity.permissions import public
from linli.plugins.services import current_settings
from plugins.affairs import labels, photos, services, voting
from plugins.affairs.models import Channel, Matter, Stage
from plugins.affairs.schemas import (
    AffairsConfirmIn,
    AffairsPublicBallotIn,
    AffairsPublicMatterIn,
    AffairsRatingIn,
)
from plugins.affairs.workflow import Workflow

MODULE = "affairs"
pages = public_pages(MODULE, __name__, uploads={"form": photos.UPLOAD_BYTES})
BOARD_PAGE = 20
#: What a resident's answer may meet and read next to the form: bad data (422), a state
#: the matter is not in (409), a voter the registry does not know (403).
SHOWN_PROBLEMS = (403, 409, 422)
Page = str | tuple[str, int] | BaseResponse


def _settings() -> dict[str, Any]:
    return current_settings(MODULE)


def _attempt(action: Callable[..., object], *args: Any) -> tuple[object, FieldErrors]:
    """Run ``action(session, *args)`` and commit; a refusal the resident can act on comes
    back as field errors (the rest stays an error page)."""
    session = db.session()
    try:
        done = action(session, *args)
    except Problem as exc:
        session.rollback()
        if exc.code not in SHOWN_PROBLEMS:
            raise
        return None, problem_errors(exc)
    session.commit()
    return done, {}


def _labels(settings: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "stages": labels.stage_names(settings),
        "categories": labels.category_names(settings),
        "events_titles": labels.EVENTS,
        "endings": labels.ENDINGS,
    }


# --- 提事: the form a QR code leads to ------------------------------------------------------


def _submit(session: Any, data: dict[str, Any], settings: Mapping[str, Any]) -> Matter:
    files = [upload for upload in request.files.getlist("photos") if upload.filename]
    fields = {**data, "reporter_name": data.get("name"), "reporter_phone": data.get("phone")}
    matter = services.raise_matter(session, fields, Channel.QR, settings, location="form")
    photos.add(session, matter, files, settings["max_photos"], "files")
    return matter


@pages.route("/", methods=["GET", "POST"])
@public
def form() -> Page:
    session = db.session()
    settings = _settings()
    errors: FieldErrors = {}
    values: Mapping[str, Any] = request.form
    if request.method == "GET":
        values = {"building_id": request.args.get("building_id", "")}
    else:
        data, errors = load(AffairsPublicMatterIn(), posted())
        if data is not None:
            throttle("affairs.intake", settings["intake_limit"])
            matter, errors = _attempt(_submit, data, settings)
            if isinstance(matter, Matter):
                return redirect(url_for(".thanks", code=matter.tracking_code))
    page = render_template(
        "affairs/public/form.html",
        buildings=services.building_names(session),
        rules=Workflow.of(settings).rules,
        max_photos=settings["max_photos"],
        errors=errors,
        form=values,
        **_labels(settings),
    )
    return page, 422 if errors else 200


@pages.get("/thanks/<string:code>")
@public
def thanks(code: str) -> str:
    """The receipt: the file number and the tracking code to keep."""
    matter = services.by_tracking_code(db.session(), code)
    return render_template("affairs/public/thanks.html", matter=matter)


# --- the resident's matter, by its tracking code --------------------------------------------


@pages.get("/track")
@public
def find() -> Page:
    """Type in a tracking code (or follow a link that carries it)."""
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for(".track", code=code))
    return render_template("affairs/public/find.html")


def _track_page(matter: Matter, errors: FieldErrors, failed: str | None) -> tuple[str, int]:
    session = db.session()
    settings = _settings()
    answering = matter.ending is None and matter.stage in (Stage.PUBLISH, Stage.RATE)
    rated = services.reporter_rated(session, matter)
    shown = {"confirmation": answering, "rating": answering and not rated}
    stray = failed is not None and not shown[failed]
    if stray:
        # the form is gone (rated already, the matter moved on): its refusal on top
        errors = {"_schema": [m for messages in errors.values() for m in messages]}
    page = render_template(
        "affairs/public/track.html",
        matter=services.tracking(session, matter, settings),
        rules=Workflow.of(settings).rules,
        answering=answering,
        rated=rated,
        stray=stray,
        errors=errors,
        failed=failed,
        form=request.form,
        **_labels(settings),
    )
    return page, 422 if errors else 200


@pages.get("/track/<string:code>")
@public
def track(code: str) -> tuple[str, int]:
    return _track_page(services.by_tracking_code(db.session(), code), {}, None)


def _answer(code: str, kind: str, data: dict[str, Any] | None, errors: FieldErrors) -> Page:
    """Confirm or rate: back to the matter's page, with the errors next to the form."""
    matter = services.by_tracking_code(db.session(), code)
    if data is not None:
        if kind == "confirmation":
            _done, errors = _attempt(
                services.confirm, matter, data["resolved"], data.get("comment"), _settings()
            )
        else:
            _done, errors = _attempt(
                services.rate_by_reporter, matter, data["score"], data.get("comment")
            )
        if not errors:
            flash(str(_l("Thank you, your answer is recorded.")))
            return redirect(url_for(".track", code=matter.tracking_code))
    return _track_page(matter, errors, kind)


@pages.post("/track/<string:code>/confirmation")
@public
def confirm(code: str) -> Page:
    """The resident's word on the result: resolved, or not (the work reopens)."""
    data, errors = load(AffairsConfirmIn(), posted())
    return _answer(code, "confirmation", data, errors)


@pages.post("/track/<string:code>/rating")
@public
def rate(code: str) -> Page:
    """评事: the reporter's satisfaction (once)."""
    fields = posted()
    if "score" in fields:
        fields["score"] = whole(fields["score"])
    data, errors = load(AffairsRatingIn(), fields)
    return _answer(code, "rating", data, errors)


# --- 议事: the vote -------------------------------------------------------------------------


@pages.route("/polls/<uuid:poll_id>", methods=["GET", "POST"])
@public
def vote(poll_id: uuid.UUID) -> Page:
    """The question, the tally so far, and a vote for a resident the registry knows."""
    session = db.session()
    poll = voting.poll_or_404(session, poll_id)
    errors: FieldErrors = {}
    if request.method == "POST":
        fields = posted()
        if "option" in fields:
            fields["option"] = whole(fields["option"])
        data, errors = load(AffairsPublicBallotIn(), fields)
        if data is not None:
            throttle("affairs.vote", _settings()["vote_limit"])
            args = (poll, data["name"], data["phone"], data["option"])
            _ballot, errors = _attempt(voting.cast_online, *args)
            if not errors:
                flash(str(_l("Thank you, your vote is counted.")))
                return redirect(url_for(".vote", poll_id=poll_id))
    matter = session.scalars(select(Matter).where(Matter.id == poll.matter_id)).one()
    page = render_template(
        "affairs/public/vote.html",
        poll=voting.summary(session, poll),
        matter=matter,
        errors=errors,
        form=request.form,
    )
    return page, 422 if errors else 200


# --- 晒事: the public board ------------------------------------------------------------------


@pages.get("/board")
@public
def board() -> str:
    session = db.session()
    settings = _settings()
    if not settings["public_board"]:
        raise Problem(404, "board_off", _l("This community keeps no public board"))
    category = request.args.get("category") or None
    names = labels.category_names(settings)
    query = services.board_query(category if category in names else None)
    number = max(request.args.get("page", 1, type=int) or 1, 1)
    order = (Matter.published_at.desc(), Matter.id)
    rows, count = page_of(session, query, number, BOARD_PAGE, *order)
    return render_template(
        "affairs/public/board.html",
        matters=rows,
        scores=services.average_score(session, [m.id for m in rows]),
        category=category if category in names else "",
        page=number,
        pages=count,
        **_labels(settings),
    )
