"""The affairs module's console pages: the tracked list (实事微清单) and entering a
matter for a resident; one matter's file with the forms of the steps its stage allows
(take on or decline, the vote and its tally, the plan, progress, done, publish, ratings,
the follow-up visit, closing off, handing to 12345); the figures with the hotline's six
indicators; the 民情二维码 to print. Every step calls the service the JSON API calls, so
a rule (closing off only on the resident's word, one vote per resident) holds in both."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from marshmallow import Schema
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from linli import db
from linli.api.pagination import page_of
from linli.api.problems import Problem, not_found, problem_for
from linli.api.tenant_api import tenant_row_or_404
from linli.console.forms import FieldErrors, load, posted, problem_errors, whole
from linli.console.pages import console_blueprint, requested_page
from linli.identity.access import check, granted_here
from linli.identity.permissions import require
from linli.plugins.manifest import ConsolePage
from linli.plugins.services import current_settings
from linli.qrcodes import MEDIA_TYPES
from linli.residents.lookup import search
from plugins.affairs import labels, photos, services, statistics, voting
from plugins.affairs.models import Channel, Matter, Poll, Stage
from plugins.affairs.permissions import LOOKUP, MANAGE, READ, WRITE
from plugins.affairs.schemas import (
    AffairsAcceptIn,
    AffairsBallotIn,
    AffairsCloseIn,
    AffairsMatterIn,
    AffairsMatterQuery,
    AffairsNoteIn,
    AffairsPlanIn,
    AffairsPollIn,
    AffairsPublishIn,
    AffairsQrArgs,
    AffairsRatingIn,
    AffairsReasonIn,
    AffairsResultIn,
    AffairsStatsArgs,
    AffairsVisitIn,
)

MODULE = "affairs"
bp = console_blueprint("affairs_console", __name__, module=MODULE)
PAGES = (
    ConsolePage("", _l("Tracked list"), READ),
    ConsolePage("statistics", _l("Matters in figures"), READ),
    ConsolePage("qr", _l("QR codes"), READ),
)
PAGE = 30
Page = str | tuple[str, int] | BaseResponse
Settings = Mapping[str, Any]


def _settings() -> dict[str, Any]:
    return current_settings(MODULE)


# --- the tracked list and the staff's intake ------------------------------------------------


@bp.get("")
@require(READ)
def matters() -> tuple[str, int]:
    """实事微清单, filtered by stage, category, lateness or a word of the title/number."""
    session = db.session()
    settings = _settings()
    wanted = {k: v for k, v in request.args.items() if k in ("stage", "category", "q") and v}
    if request.args.get("overdue"):
        wanted["overdue"] = "true"
    filters, errors = load(AffairsMatterQuery(), wanted)
    query = services.matters_query(filters or {})
    order = (Matter.raised_at.desc(), Matter.id)
    rows, pages = page_of(session, query, requested_page(), PAGE, *order)
    page = render_template(
        "affairs/console/matters.html",
        matters=[services.view(matter, settings) for matter in rows],
        stages=labels.stage_names(settings),
        categories=labels.category_names(settings),
        endings=labels.ENDINGS,
        args=wanted,
        errors=errors,
        page=requested_page(),
        pages=pages,
    )
    return page, 422 if errors else 200


@bp.route("/matters/new", methods=["GET", "POST"])
@require(WRITE)
def intake() -> Page:
    """提事 on a resident's behalf (a visit, a call, a 睦邻恳谈)."""
    settings = _settings()
    errors: FieldErrors = {}
    if request.method == "POST":
        data, errors = load(AffairsMatterIn(), posted())
        if data is not None:
            session = db.session()
            try:
                matter = services.raise_matter(session, data, Channel.STAFF, settings)
                session.commit()
            except Problem as exc:
                session.rollback()
                errors = _form_problem(exc)
            else:
                message = _l(
                    "Matter %(number)s is filed; the resident's tracking code is %(code)s.",
                    number=matter.number,
                    code=matter.tracking_code,
                )
                flash(str(message))
                return redirect(url_for(".matter", matter_id=matter.id))
    page = render_template(
        "affairs/console/intake.html",
        categories=labels.category_names(settings),
        buildings=services.building_names(db.session()),
        errors=errors,
        form=request.form,
    )
    return page, 422 if errors else 200


def _form_problem(exc: Problem) -> FieldErrors:
    """A refusal the form shows (422/409); anything else stays an error page."""
    if exc.code not in (409, 422):
        raise exc
    return problem_errors(exc)


# --- one matter and its steps ---------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A form of the matter's page: what it posts, who may, and the service it calls with
    ``(session, matter, data, settings)``."""

    path: str
    title: Any
    permission: str
    schema: type[Schema]
    take: Callable[[Session, Matter, dict[str, Any], Settings], object]
    #: the fields its form shows (an error of any other goes above the form)
    shown: tuple[str, ...]
    #: fields typed as text that the API's schema wants as strict integers
    numbers: tuple[str, ...] = ()

    def placed(self, errors: FieldErrors) -> FieldErrors:
        """Errors by the field they are shown next to (``options.1`` by ``options``)."""
        found: FieldErrors = {}
        for key, messages in errors.items():
            name = key.split(".", 1)[0]
            found.setdefault(name if name in self.shown else "_schema", []).extend(messages)
        return found


def _ballot(session: Session, matter: Matter, data: dict[str, Any], _settings: Settings) -> None:
    poll = services.poll_of(session, matter)
    if poll is None:
        raise services.wrong_stage()
    voting.cast_for_resident(session, poll, data["resident_id"], data["option"])


STEPS = {
    step.path: step
    for step in (
        Step(
            "accept",
            _l("Take the matter on"),
            MANAGE,
            AffairsAcceptIn,
            services.accept,
            ("category", "note"),
        ),
        Step(
            "decline",
            _l("Do not take it on"),
            MANAGE,
            AffairsReasonIn,
            lambda s, m, d, _st: services.decline(s, m, d["reason"]),
            ("reason",),
        ),
        Step(
            "poll",
            _l("Open the residents' vote"),
            MANAGE,
            AffairsPollIn,
            services.open_poll,
            ("question", "options"),
        ),
        Step(
            "ballot",
            _l("Record a vote given in person"),
            WRITE,
            AffairsBallotIn,
            _ballot,
            ("resident_id", "option"),
            numbers=("option",),
        ),
        Step(
            "plan",
            _l("Plan the work"),
            MANAGE,
            AffairsPlanIn,
            services.plan,
            ("owner", "plan", "decision", "done_by"),
        ),
        Step(
            "progress",
            _l("Note progress"),
            WRITE,
            AffairsNoteIn,
            lambda s, m, d, _st: services.progress(s, m, d["note"], d["public"]),
            ("note", "public"),
        ),
        Step(
            "done",
            _l("The work is done"),
            MANAGE,
            AffairsResultIn,
            lambda s, m, d, st: services.done(s, m, d["result"], st),
            ("result",),
        ),
        Step(
            "publish",
            _l("Publish the result"),
            MANAGE,
            AffairsPublishIn,
            lambda s, m, d, st: services.publish(s, m, d.get("note"), st),
            ("note",),
        ),
        Step(
            "rating",
            _l("Record a resident's rating"),
            WRITE,
            AffairsRatingIn,
            lambda s, m, d, _st: services.rate(s, m, d["score"], d.get("comment"), "staff"),
            ("score", "comment"),
            numbers=("score",),
        ),
        Step(
            "visit",
            _l("Record a follow-up visit"),
            WRITE,
            AffairsVisitIn,
            services.visit,
            ("visited_on", "visitor", "method", "reached", "resolved", "satisfaction", "findings"),
            numbers=("satisfaction",),
        ),
        Step(
            "close",
            _l("Close the matter off"),
            MANAGE,
            AffairsCloseIn,
            lambda s, m, d, _st: services.close(s, m, d["basis"]),
            ("basis",),
        ),
        Step(
            "transfer",
            _l("Hand it to the 12345 hotline"),
            MANAGE,
            AffairsReasonIn,
            lambda s, m, d, _st: services.transfer(s, m, d["reason"]),
            ("reason",),
        ),
    )
}
#: The steps each stage offers, in the order they are usually taken.
STEPS_OF_STAGE = {
    Stage.RAISE: ("accept", "decline", "transfer"),
    Stage.DELIBERATE: ("poll", "ballot", "plan", "transfer"),
    Stage.PLAN: ("plan", "progress", "done", "transfer"),
    Stage.EXECUTE: ("progress", "done", "transfer"),
    Stage.PUBLISH: ("publish", "rating", "visit", "close"),
    Stage.RATE: ("rating", "visit", "close"),
}


def _offered(matter: Matter, poll: Poll | None) -> list[Step]:
    """The steps the matter's state allows and the caller may take."""
    if matter.ending is not None:
        return []
    vote_open = poll is not None and voting.is_open(poll)
    hidden = {
        "poll": poll is not None,
        "ballot": not vote_open,
        "plan": vote_open or (matter.stage == Stage.PLAN and matter.planned_at is not None),
        "progress": matter.planned_at is None,
        "done": matter.planned_at is None,
        "transfer": matter.channel == Channel.HOTLINE,
    }
    granted = granted_here()
    return [
        STEPS[path]
        for path in STEPS_OF_STAGE.get(Stage(matter.stage), ())
        if not hidden.get(path) and STEPS[path].permission in granted
    ]


def _render_matter(matter: Matter, errors: FieldErrors, failed: str | None) -> tuple[str, int]:
    session = db.session()
    settings = _settings()
    poll = services.poll_of(session, matter)
    steps = _offered(matter, poll)
    if failed is not None:
        errors = STEPS[failed].placed(errors)
        if failed not in {step.path for step in steps}:
            # a step the page no longer offers (the matter moved on): its refusal on top
            errors = {"_schema": [m for messages in errors.values() for m in messages]}
    voter_text = request.args.get("voter", "").strip()[:100]
    found = (
        search(session, voter_text)
        if voter_text and any(s.path == "ballot" for s in steps) and LOOKUP in granted_here()
        else []
    )
    voters = {
        str(card.id): " · ".join(filter(None, (card.name, card.phone_masked, card.address)))
        for card in found
    }
    page = render_template(
        "affairs/console/matter.html",
        matter=services.view(matter, settings),
        events=services.events(session, matter),
        photos=photos.listed(session, matter),
        poll=None if poll is None else voting.summary(session, poll),
        choices={} if poll is None else {str(n): o for n, o in enumerate(poll.options)},
        ratings=services.ratings(session, matter),
        visits=services.visits(session, matter),
        steps=steps,
        stages=labels.stage_names(settings),
        categories=labels.category_names(settings),
        buildings=services.building_names(session),
        labels=labels,
        voter_text=voter_text,
        voters=voters,
        vote_hours=settings["vote_hours"],
        errors=errors,
        failed=failed,
        form=request.form,
    )
    return page, 422 if errors else 200


@bp.get("/matters/<uuid:matter_id>")
@require(READ)
def matter(matter_id: uuid.UUID) -> tuple[str, int]:
    return _render_matter(tenant_row_or_404(Matter, matter_id), {}, None)


def _step_fields(step: Step) -> dict[str, Any]:
    fields = posted()
    if step.path == "poll":
        lines = request.form.get("options", "").splitlines()
        fields["options"] = [line.strip() for line in lines if line.strip()]
    for name in step.numbers:
        if name in fields:
            fields[name] = whole(fields[name])
    return fields


@bp.post("/matters/<uuid:matter_id>/<string:step>")
@require(READ)
def take(matter_id: uuid.UUID, step: str) -> Page:
    """One step from the matter's page; a refused one comes back next to its form."""
    found = STEPS.get(step)
    if found is None:
        raise not_found()
    check(found.permission)
    matter = tenant_row_or_404(Matter, matter_id)
    data, errors = load(found.schema(), _step_fields(found))
    if data is not None:
        session = db.session()
        try:
            found.take(session, matter, data, _settings())
            session.commit()
        except Problem as exc:
            session.rollback()
            errors = _form_problem(exc)
        else:
            flash(str(_l("Saved.")))
            return redirect(url_for(".matter", matter_id=matter_id))
    return _render_matter(tenant_row_or_404(Matter, matter_id), errors, step)


@bp.get("/matters/<uuid:matter_id>/photos/<uuid:photo_id>")
@require(READ)
def photo(matter_id: uuid.UUID, photo_id: uuid.UUID) -> Response:
    found, path = photos.file_of(db.session(), tenant_row_or_404(Matter, matter_id), photo_id)
    if not path.is_file():
        raise problem_for(404, _l("The file is no longer kept."))
    return Response(path.read_bytes(), mimetype=found.content_type)


# --- figures --------------------------------------------------------------------------------


def _bars(names: list[str], values: list[Any], name: str, unit: str = "") -> dict[str, Any]:
    """An ECharts option: one series of bars, names along the bottom."""
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"containLabel": True, "left": 8, "right": 8, "bottom": 8, "top": 24},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0}},
        "yAxis": {
            "type": "value",
            "axisLabel": {"formatter": "{value}" + unit},
            **({"max": 100} if unit == "%" else {}),
        },
        "series": [{"type": "bar", "name": name, "data": values}],
    }


@bp.get("/statistics")
@require(READ)
def figures() -> tuple[str, int]:
    """By category and stage, the time to close off, and the hotline's six indicators."""
    settings = _settings()
    wanted = {k: v for k, v in request.args.items() if k in ("since", "until") and v}
    period, errors = load(AffairsStatsArgs(), wanted)
    period = period or {}
    found = statistics.figures(db.session(), settings, period.get("since"), period.get("until"))
    categories = labels.category_names(settings)
    stages = labels.stage_names(settings)
    by_category = [(categories.get(c["key"], c["key"]), c["count"]) for c in found["by_category"]]
    by_stage = [(stages.get(c["key"], c["key"]), c["count"]) for c in found["by_stage"]]
    indicators = [(title, found["indicators"][key]) for key, title in labels.INDICATORS.items()]
    charts = [
        (
            _l("Matters by category"),
            _bars([n for n, _ in by_category], [v for _, v in by_category], str(_l("Matters"))),
        ),
        (
            _l("Open matters by stage"),
            _bars([n for n, _ in by_stage], [v for _, v in by_stage], str(_l("Matters"))),
        ),
        (
            _l("The hotline's six indicators"),
            _bars(
                [str(t) for t, _ in indicators],
                [None if v is None else round(v * 100, 1) for _, v in indicators],
                str(_l("Rate")),
                "%",
            ),
        ),
    ]
    page = render_template(
        "affairs/console/statistics.html",
        figures=found,
        by_category=by_category,
        by_stage=by_stage,
        indicators=indicators,
        endings=labels.ENDINGS,
        charts=charts,
        args=wanted,
        errors=errors,
    )
    return page, 422 if errors else 200


# --- 民情二维码 ----------------------------------------------------------------------------


@bp.get("/qr")
@require(READ)
def qr_codes() -> str:
    """The community's code and one per building, to print and put on the doors."""
    settings = _settings()
    codes = [(None, g.tenant.name)] + [
        (b["id"], b["name"]) for b in services.buildings(db.session())
    ]
    return render_template(
        "affairs/console/qr.html",
        codes=[(place, name, services.qr_target(place, settings)) for place, name in codes],
    )


@bp.get("/qr/code.<any(png, svg):kind>")
@require(READ)
def qr_code(kind: str) -> Response:
    """The code as an image (a building's with ``?building_id=``)."""
    args, errors = load(AffairsQrArgs(), {**request.args.to_dict(), "format": kind})
    if args is None:
        raise problem_for(422, "; ".join(m for messages in errors.values() for m in messages))
    image = services.qr_code(db.session(), args.get("building_id"), args["format"], _settings())
    return Response(image, mimetype=MEDIA_TYPES[args["format"]])
