"""One row of each kind of the affairs module, for tests that walk its routes (the core's
access matrix and this module's isolation test): a matter from the hotline, with a photo
and an open vote; its tracking code and ticket number."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from plugins.affairs.models import Matter, Photo, Poll
from plugins.affairs.services import new_code


def rows(session: Any) -> dict[str, Any]:
    """Rows in the current community, by the path parameter that names them."""
    now = datetime.now(UTC)
    ticket = f"T-{uuid.uuid4().hex[:8]}"
    matter = Matter(
        number=f"M{uuid.uuid4().hex[:6]}",
        tracking_code=new_code(),
        title="路灯不亮",
        description="路灯不亮",
        category="social_service",
        channel="hotline",
        fingerprint=uuid.uuid4().hex,
        stage="deliberate",
        raised_at=now,
        hotline_ticket=ticket,
    )
    session.add(matter)
    session.flush()
    photo = Photo(
        matter_id=matter.id, stage="raise", content_type="image/jpeg", size=1, taken_at=now
    )
    poll = Poll(
        matter_id=matter.id,
        question="同意吗",
        options=["同意", "不同意"],
        unit="resident",
        opens_at=now,
        closes_at=now + timedelta(hours=12),
    )
    session.add_all([photo, poll])
    session.flush()
    return {
        "matter_id": matter.id,
        "photo_id": photo.id,
        "poll_id": poll.id,
        "ticket_no": ticket,
        "code": matter.tracking_code,
    }
