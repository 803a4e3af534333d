"""The notice board's background work: a nightly purge of long-expired notices."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete

from linli import db
from linli.plugins.services import current_settings
from plugins.noticeboard.models import Notice


def purge_expired() -> dict[str, int]:
    """Delete notices that expired more than ``keep_days`` ago (the community's setting)."""
    keep = current_settings("noticeboard")["keep_days"]
    cutoff = date.today() - timedelta(days=keep)
    with db.database().session_scope() as session:
        result = session.execute(delete(Notice).where(Notice.visible_until < cutoff))
    return {"deleted": int(result.rowcount or 0)}  # type: ignore[attr-defined]
