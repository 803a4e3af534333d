"""Words for the module's stored codes, in the reader's language: shared by the console,
the residents' pages and the bureau's dashboard, so a code reads the same everywhere."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from plugins.affairs.workflow import Workflow

#: The city hotline's six indicators (see :mod:`plugins.affairs.statistics`).
INDICATORS = {
    "response_rate": _l("Response rate"),
    "completion_rate": _l("Completion rate"),
    "resolution_rate": _l("Resolution rate"),
    "satisfaction_rate": _l("Satisfaction rate"),
    "on_time_feedback_rate": _l("On-time feedback rate"),
    "effective_visit_rate": _l("Effective follow-up rate"),
}
#: Titles of the figures of the ``bureau_statistics`` hook.
FIGURES = {
    "matters": _l("Matters raised"),
    "closed": _l("Matters closed off"),
    "overdue": _l("Matters overdue"),
    **INDICATORS,
}
EVENTS = {
    "raised": _l("Raised"),
    "corrected": _l("Corrected"),
    "accepted": _l("Taken on"),
    "declined": _l("Not taken on"),
    "vote_opened": _l("Vote opened"),
    "planned": _l("Plan made"),
    "progress": _l("Progress"),
    "done": _l("Work done"),
    "published": _l("Published"),
    "rated": _l("Rated"),
    "confirmed": _l("Confirmed by the resident"),
    "reopened": _l("Reopened"),
    "visited": _l("Follow-up visit"),
    "closed": _l("Closed off"),
    "transferred": _l("Handed to the 12345 hotline"),
}
ENDINGS = {
    "closed": _l("Closed off"),
    "declined": _l("Not taken on"),
    "transferred": _l("Handed to the 12345 hotline"),
}
CHANNELS = {
    "qr": _l("QR code"),
    "staff": _l("Entered by staff"),
    "hotline": _l("12345 hotline"),
}
CLOSE_BASES = {
    "confirmation": _l("The resident confirmed it is resolved"),
    "visit": _l("A follow-up visit found it resolved"),
}
VISIT_METHODS = {"visit": _l("In person"), "phone": _l("By phone")}


def stage_names(settings: Mapping[str, Any]) -> dict[str, str]:
    """The community's own names of its stages, in English when the reader reads it."""
    english = get_locale() is not None and get_locale().language == "en"
    workflow = Workflow.of(settings)
    return {rule.stage: workflow.label(rule.stage, english) for rule in workflow.rules}


def category_names(settings: Mapping[str, Any]) -> dict[str, str]:
    return {c["code"]: c["name"] for c in settings["categories"]}
