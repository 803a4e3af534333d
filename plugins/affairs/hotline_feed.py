"""What the city hotline's bridge is told: the push back of its tickets' progress, and
requests to take over matters beyond the community's reach.

Updates wait in a table until the bridge fetches and acknowledges them, so a hotline
that is down misses nothing and no outgoing network call holds a resident's request up.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from linli.db import utcnow
from plugins.affairs.models import HotlineUpdate, Matter

#: The steps of a ticket the hotline follows (接 → 派 → 办 → 督 → 评 on its side).
TOLD = frozenset(
    {"accepted", "declined", "planned", "progress", "done", "published", "reopened", "closed"}
)
REPLY_KINDS = frozenset({"done", "declined"})


def tell(session: Session, matter: Matter, kind: str, note: str | None) -> None:
    """Queue ``kind`` for the hotline when the matter is one of its tickets."""
    if matter.hotline_ticket is None or kind not in TOLD:
        return
    now = utcnow()
    if kind in REPLY_KINDS and matter.hotline_replied_at is None:
        matter.hotline_replied_at = now
    session.add(
        HotlineUpdate(matter_id=matter.id, kind=kind, stage=matter.stage, note=note, at=now)
    )


def request_transfer(session: Session, matter: Matter, reason: str) -> None:
    note = f"{matter.title}\n{matter.description}\n{reason}"
    session.add(
        HotlineUpdate(
            matter_id=matter.id, kind="transfer_request", stage=matter.stage, note=note, at=utcnow()
        )
    )
