"""Rows the access matrix (tests/test_access_matrix.py) needs for the module's URLs:
one of each kind in a community, about the fixture unit ``shared-unit``."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.identity.models import Partnership, PartnerUnit
from linli.residents.people import Resident
from linli.tenancy.context import require_tenant
from plugins.partners import files
from plugins.partners.models import (
    Activity,
    Meeting,
    Need,
    PartyMember,
    Project,
    ProjectResource,
    Resource,
    ServiceHours,
    Task,
    UnitProfile,
)

PARAMETERS = (
    "resource_id",
    "need_id",
    "project_id",
    "meeting_id",
    "activity_id",
    "entry_id",
    "member_id",
    "task_id",
    "attachment_id",
)


def rows(session: Session) -> dict[str, uuid.UUID]:
    """Path parameter → id of a row in the current community (unknown ids where the
    fixture unit is no partner: every cell there is refused before any lookup)."""
    unit_id = session.scalar(
        select(PartnerUnit.id)
        .join(Partnership, Partnership.unit_id == PartnerUnit.id)
        .where(PartnerUnit.slug == "shared-unit", Partnership.tenant_id == require_tenant().id)
    )
    if unit_id is None:
        return {name: uuid.uuid4() for name in PARAMETERS}
    resource = Resource(unit_id=unit_id, kind="venue", title="党群活动室", categories=["养老服务"])
    need = Need(title="老人慰问", category="养老服务")
    meeting = Meeting(held_on=date(2026, 1, 5), title="联席会议")
    activity = Activity(title="重阳节茶话会", held_on=date(2026, 1, 6))
    resident = Resident(
        name="在职党员", gender="female", birth_date=date(1985, 1, 1), purpose="test"
    )
    session.add_all([resource, need, meeting, activity, resident])
    session.flush()
    project = Project(title="慰问", need_id=need.id, meeting_id=meeting.id)
    member = PartyMember(resident_id=resident.id, unit_id=unit_id, reported_on=date(2026, 1, 1))
    session.add_all([project, member])
    session.flush()
    task = Task(party_member_id=member.id, title="楼道宣传")
    entry = ServiceHours(
        unit_id=unit_id,
        person="志愿者",
        served_on=date(2026, 1, 6),
        hours=Decimal("2.0"),
        content="茶话会",
        logged_by="matrix",
    )
    link = ProjectResource(project_id=project.id, resource_id=resource.id, unit_id=unit_id)
    scan = uuid.uuid4()
    files.path_of(scan, ".pdf").write_bytes(b"%PDF-1.4 agreement")
    attachment = {
        "id": str(scan),
        "name": "协议.pdf",
        "content_type": "application/pdf",
        "bytes": 18,
    }
    profile = UnitProfile(unit_id=unit_id, contacts=[], attachments=[attachment])
    session.add_all([task, entry, link, profile])
    session.flush()
    return dict(
        zip(
            PARAMETERS,
            (
                resource.id,
                need.id,
                project.id,
                meeting.id,
                activity.id,
                entry.id,
                member.id,
                task.id,
                scan,
            ),
            strict=True,
        )
    )
