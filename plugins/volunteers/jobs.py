"""The module's scheduled work: star levels from verified hours, nightly per community."""

from __future__ import annotations

from datetime import date

from linli import db
from linli.plugins.services import current_settings
from plugins.volunteers import stars


def recalculate_stars() -> dict[str, int]:
    """Put newly reached star levels on public notice; finalise notices that ended."""
    with db.database().session_scope() as session:
        return stars.recalculate(session, current_settings("volunteers"), date.today())
