"""Residents and places in the console: search with masked personal data, a household's
people, the spreadsheet import (a background job whose progress the page follows), and
the job page every module's import or export can send its user to."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import Response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_smorest.pagination import PaginationParameters
from sqlalchemy import func, select
from werkzeug.wrappers import Response as BaseResponse

from linli import db
from linli.api.pagination import paged
from linli.api.problems import Problem, not_found
from linli.api.tenant_api import tenant_row_or_404
from linli.console.forms import load, posted, problem_errors
from linli.console.pages import console_blueprint, requested_page
from linli.identity import permissions as perms
from linli.identity.permissions import require
from linli.jobs.files import larger_uploads, result_file
from linli.jobs.models import JobRecord, JobStatus
from linli.residents import lookup, people_transfer
from linli.residents.models import Building, Compound
from linli.residents.people import Household, Resident
from linli.residents.people_api import ImportArgs
from linli.residents.search import residents_query
from linli.residents.services import tag_dictionary
from linli.residents.visibility import visible

bp = console_blueprint("console_people", __name__, tenant=True)
PAGE = 30
DONE = frozenset({JobStatus.FINISHED.value, JobStatus.FAILED.value, JobStatus.CANCELED.value})
#: Job failures the console explains in the reader's language (the record keeps English).
JOB_ERRORS = {
    "invalid_rows": _l("Some rows are not valid; nothing was imported"),
    "jobs_unavailable": _l("The job queue was unreachable"),
}


def _cards(residents: list[Resident]) -> list[tuple[Resident, lookup.ResidentCard]]:
    cards = lookup.describe(db.session(), residents)
    return [(resident, cards[resident.id]) for resident in residents]


@bp.get("/residents")
@require(perms.RESIDENTS_READ)
def residents() -> str:
    session = db.session()
    args = {"q": request.args.get("q", "").strip(), "tag": request.args.getlist("tag")}
    dictionary = tag_dictionary(session)
    args["tag"] = [code for code in args["tag"] if code in dictionary]
    page = requested_page()
    window = PaginationParameters(page, PAGE)
    found = paged(session, residents_query(args, date.today()), window, Resident.name, Resident.id)
    total = window.item_count
    return render_template(
        "console/people/residents.html",
        rows=_cards(list(found)),
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        args=args,
        dictionary=dictionary,
    )


@bp.get("/households/<uuid:household_id>")
@require(perms.RESIDENTS_READ)
def household(household_id: uuid.UUID) -> str:
    found = tenant_row_or_404(Household, household_id)
    members = db.session().scalars(
        visible(select(Resident).where(Resident.household_id == found.id)).order_by(Resident.name)
    )
    rows = _cards(list(members))
    if not rows:
        raise not_found()  # a grid worker outside the household's grid sees nothing of it
    return render_template("console/people/household.html", household=found, rows=rows)


@bp.get("/places")
@require(perms.PLACES_READ)
def places() -> str:
    session = db.session()
    counts: dict[uuid.UUID, int] = {
        compound_id: count
        for compound_id, count in session.execute(
            select(Building.compound_id, func.count()).group_by(Building.compound_id)
        )
    }
    compounds = session.scalars(select(Compound).order_by(Compound.name)).all()
    return render_template("console/people/places.html", compounds=compounds, counts=counts)


@bp.route("/residents/import", methods=["GET", "POST"])
@require(perms.RESIDENTS_WRITE)
def import_residents() -> tuple[str, int] | BaseResponse:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        args, errors = load(ImportArgs(), posted())
        if args is not None:
            try:
                record = people_transfer.start_import(args["purpose"], args["mode"])
            except Problem as exc:
                errors = problem_errors(exc)
            else:
                return redirect(url_for(".job", job_id=record.id))
    page = render_template(
        "console/people/import.html",
        errors=errors,
        form=request.form,
        columns=people_transfer.IMPORT_COLUMNS,
    )
    return page, 422 if errors else 200


def _job_context(job_id: uuid.UUID) -> dict[str, Any]:
    """What the job page shows: its state, and the rows an import refused (in its
    problem when nothing was imported, in its result when the valid rows were)."""
    record = tenant_row_or_404(JobRecord, job_id)
    error = record.error or {}
    detail = error.get("detail")
    reported = detail if isinstance(detail, dict) else record.result
    return {
        "record": record,
        "done": record.status in DONE,
        "error_title": JOB_ERRORS.get(error.get("code", ""), error.get("title")),
        "row_errors": reported.get("errors", []) if isinstance(reported, dict) else [],
    }


@bp.post("/residents/export")
@require(perms.RESIDENTS_EXPORT)
def export_residents() -> BaseResponse:
    """The registry as a spreadsheet, masked unless ``full`` (reveal, audited by the job)."""
    file_format = "csv" if request.form.get("format") == "csv" else "xlsx"
    record = people_transfer.start_export(file_format, request.form.get("full") == "1")
    return redirect(url_for(".job", job_id=record.id))


@bp.get("/jobs/<uuid:job_id>/file")
@require(perms.JOBS_READ)
def job_file(job_id: uuid.UUID) -> Response:
    return result_file(job_id, archive=False)


@bp.get("/jobs/<uuid:job_id>")
@require(perms.JOBS_READ)
def job(job_id: uuid.UUID) -> str:
    return render_template("console/people/job.html", **_job_context(job_id))


@bp.get("/jobs/<uuid:job_id>/progress")
@require(perms.JOBS_READ)
def job_progress(job_id: uuid.UUID) -> str:
    """The progress fragment htmx swaps in every second until the job is done."""
    return render_template("console/people/_job_progress.html", **_job_context(job_id))


bp.before_request(larger_uploads("console_people.import_residents"))
