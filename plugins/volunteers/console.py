"""The volunteer teams' console pages: activities with their shifts and sign-ups (sign
up, withdraw, check in, check out with the hours served), the volunteers with their
verified hours and stars, and the hours waiting for a team lead's decision. Each view
calls the services the JSON API calls."""

from __future__ import annotations

import uuid

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from linli import db
from linli.api.pagination import page_of
from linli.api.tenant_api import tenant_row_or_404
from linli.console.forms import (
    FieldErrors,
    attempt,
    flash_errors,
    load,
    posted,
    whole,
)
from linli.console.pages import console_blueprint, requested_page
from linli.db import utcnow
from linli.identity.permissions import require
from linli.plugins.manifest import ConsolePage
from plugins.volunteers import hours, record, services, shifts
from plugins.volunteers.models import (
    Activity,
    HourRecord,
    HourStatus,
    Shift,
    Signup,
    Team,
    Volunteer,
)
from plugins.volunteers.permissions import APPROVE, MANAGE, READ
from plugins.volunteers.schemas import VolCheckOutIn, VolDeclineIn, VolSignupIn

bp = console_blueprint("volunteers_console", __name__, module="volunteers")
PAGES = (
    ConsolePage("", _l("Activities and shifts"), READ),
    ConsolePage("volunteers", _l("Volunteers"), READ),
    ConsolePage("hours", _l("Hours to approve"), APPROVE),
)
PAGE = 30
Page = str | tuple[str, int] | BaseResponse


# --- activities, shifts and sign-ups ------------------------------------------------------------


@bp.get("")
@require(READ)
def activities() -> str:
    session = db.session()
    order = (Activity.created_at.desc(), Activity.id)
    rows, pages = page_of(session, select(Activity), requested_page(), PAGE, *order)
    teams = {team_id: name for team_id, name in session.execute(select(Team.id, Team.name))}
    return render_template(
        "volunteers/console/activities.html",
        activities=rows,
        teams=teams,
        page=requested_page(),
        pages=pages,
    )


def _activity_page(
    activity_id: uuid.UUID, errors: FieldErrors, failed: uuid.UUID | None = None
) -> tuple[str, int]:
    """The activity's shifts and sign-ups; ``failed`` is the shift or sign-up whose form
    came back with ``errors``."""
    session = db.session()
    activity = tenant_row_or_404(Activity, activity_id)
    listed = shifts.activity_shifts(session, activity)
    signups = {
        view["id"]: shifts.signups_of(session, tenant_row_or_404(Shift, view["id"]))
        for view in listed
    }
    people = session.scalars(select(Volunteer).order_by(Volunteer.name, Volunteer.number)).all()
    page = render_template(
        "volunteers/console/activity.html",
        activity=activity,
        shifts=listed,
        signups=signups,
        names={v.id: v.name for v in people},
        volunteers=[v for v in people if v.active],
        errors=errors,
        failed=failed,
        form=request.form,
    )
    return page, 422 if errors else 200


@bp.get("/activities/<uuid:activity_id>")
@require(READ)
def activity(activity_id: uuid.UUID) -> tuple[str, int]:
    return _activity_page(activity_id, {})


@bp.post("/shifts/<uuid:shift_id>/signups")
@require(MANAGE)
def sign_up(shift_id: uuid.UUID) -> Page:
    """A place on the shift if one is free, else a place on its waitlist."""
    shift = tenant_row_or_404(Shift, shift_id)
    data, errors = load(VolSignupIn(), posted())
    if data is not None:
        message = _l("The volunteer is signed up.")
        errors = attempt(message, shifts.sign_up, shift.id, data["volunteer_id"], utcnow())
        if not errors:
            return redirect(url_for(".activity", activity_id=shift.activity_id))
    return _activity_page(shift.activity_id, errors, shift.id)


def _signup_activity(signup: Signup) -> uuid.UUID:
    return tenant_row_or_404(Shift, signup.shift_id).activity_id


@bp.post("/signups/<uuid:signup_id>/withdraw")
@require(MANAGE)
def withdraw(signup_id: uuid.UUID) -> BaseResponse:
    """Give up the place; the first on the waitlist moves up."""
    signup = tenant_row_or_404(Signup, signup_id)
    activity_id = _signup_activity(signup)
    flash_errors(attempt(_l("The sign-up is withdrawn."), shifts.withdraw, signup))
    return redirect(url_for(".activity", activity_id=activity_id))


@bp.post("/signups/<uuid:signup_id>/check-in")
@require(MANAGE)
def check_in(signup_id: uuid.UUID) -> BaseResponse:
    signup = tenant_row_or_404(Signup, signup_id)
    activity_id = _signup_activity(signup)
    flash_errors(attempt(_l("The volunteer is checked in."), shifts.check_in, signup, utcnow()))
    return redirect(url_for(".activity", activity_id=activity_id))


@bp.post("/signups/<uuid:signup_id>/check-out")
@require(MANAGE)
def check_out(signup_id: uuid.UUID) -> Page:
    """Check out and log the hours served (the time on site unless given), pending the
    team lead's approval."""
    signup = tenant_row_or_404(Signup, signup_id)
    activity_id = _signup_activity(signup)
    fields = posted()
    if "people_served" in fields:
        fields["people_served"] = whole(fields["people_served"])
    data, errors = load(VolCheckOutIn(), fields)
    if data is not None:
        message = _l("The volunteer is checked out; the hours await approval.")
        errors = attempt(message, shifts.check_out, signup, data, utcnow())
        if not errors:
            return redirect(url_for(".activity", activity_id=activity_id))
    return _activity_page(activity_id, errors, signup.id)


# --- volunteers ---------------------------------------------------------------------------------


@bp.get("/volunteers")
@require(READ)
def volunteers() -> str:
    session = db.session()
    text = request.args.get("q", "").strip()[:100]
    query = services.list_volunteers(text=text or None)
    rows, pages = page_of(session, query, requested_page(), PAGE, Volunteer.number, Volunteer.id)
    ids = [v.id for v in rows]
    return render_template(
        "volunteers/console/volunteers.html",
        volunteers=rows,
        hours=services.approved_hours(session, ids),
        teams=services.team_names(session, ids),
        q=text,
        page=requested_page(),
        pages=pages,
    )


@bp.get("/volunteers/<uuid:volunteer_id>")
@require(READ)
def volunteer(volunteer_id: uuid.UUID) -> str:
    found = tenant_row_or_404(Volunteer, volunteer_id)
    return render_template(
        "volunteers/console/volunteer.html",
        volunteer=found,
        record=record.full_record(db.session(), found),
    )


# --- hours waiting for approval -----------------------------------------------------------------


@bp.get("/hours")
@require(APPROVE)
def pending_hours() -> str:
    session = db.session()
    query = hours.list_query({"status": HourStatus.PENDING.value})
    order = (HourRecord.served_on.desc(), HourRecord.id)
    rows, pages = page_of(session, query, requested_page(), PAGE, *order)
    listed = select(Volunteer.id, Volunteer.name).where(
        Volunteer.id.in_({r.volunteer_id for r in rows})
    )
    names = {volunteer_id: name for volunteer_id, name in session.execute(listed)}
    return render_template(
        "volunteers/console/hours.html",
        entries=rows,
        names=names,
        page=requested_page(),
        pages=pages,
    )


@bp.post("/hours/<uuid:hour_id>/approve")
@require(APPROVE)
def approve(hour_id: uuid.UUID) -> BaseResponse:
    tenant_row_or_404(HourRecord, hour_id)
    decider = hours.caller_decider(db.session())
    flash_errors(attempt(_l("The hours are approved."), hours.approve, hour_id, decider))
    return redirect(url_for(".pending_hours"))


@bp.post("/hours/<uuid:hour_id>/decline")
@require(APPROVE)
def decline(hour_id: uuid.UUID) -> BaseResponse:
    tenant_row_or_404(HourRecord, hour_id)
    data, errors = load(VolDeclineIn(), posted())
    if data is not None:
        decider = hours.caller_decider(db.session())
        message = _l("The hours are declined.")
        errors = attempt(message, hours.decline, hour_id, data["reason"], decider)
    flash_errors(errors)
    return redirect(url_for(".pending_hours"))
