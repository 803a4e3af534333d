"""What the two route matrices need of the module: rows for its URLs (``rows``, one of
each kind in a community, about the fixture unit ``shared-unit``) for
tests/test_access_matrix.py and tests/test_api_places.py, and for the latter the status
each route answers a platform admin in its own community, with the body it is sent
(``CALLS``; a callable body gets the community's row ids)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.identity.models import Partnership, PartnerUnit
from linli.residents.people import Resident, ResidentTag
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
#: Ids for request bodies: a resource already in a project, a resident to report.
SPARE = ("spare_resource_id", "spare_resident_id")


def rows(session: Session) -> dict[str, uuid.UUID]:
    """Path parameter → id of a row in the current community (unknown ids where the
    fixture unit is no partner: every cell there is refused before any lookup)."""
    unit_id = session.scalar(
        select(PartnerUnit.id)
        .join(Partnership, Partnership.unit_id == PartnerUnit.id)
        .where(PartnerUnit.slug == "shared-unit", Partnership.tenant_id == require_tenant().id)
    )
    if unit_id is None:
        return {name: uuid.uuid4() for name in (*PARAMETERS, *SPARE)}
    resource = Resource(unit_id=unit_id, kind="venue", title="党群活动室", categories=["养老服务"])
    spare = Resource(unit_id=unit_id, kind="experts", title="法律顾问", categories=["养老服务"])
    need = Need(title="老人慰问", category="养老服务")
    meeting = Meeting(held_on=date(2026, 1, 5), title="联席会议")
    activity = Activity(title="重阳节茶话会", held_on=date(2026, 1, 6))
    resident, newcomer = (
        Resident(name=name, gender="female", birth_date=date(1985, 1, 1), purpose="test")
        for name in ("在职党员", "新报到党员")
    )
    session.add_all([resource, spare, need, meeting, activity, resident, newcomer])
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
    link = ProjectResource(project_id=project.id, resource_id=spare.id, unit_id=unit_id)
    tag = ResidentTag(resident_id=newcomer.id, code="working_party_member")
    scan = uuid.uuid4()
    files.path_of(scan, ".pdf").write_bytes(b"%PDF-1.4 agreement")
    attachment = {
        "id": str(scan),
        "name": "协议.pdf",
        "content_type": "application/pdf",
        "bytes": 18,
    }
    profile = UnitProfile(unit_id=unit_id, contacts=[], attachments=[attachment])
    session.add_all([task, entry, link, profile, tag])
    session.flush()
    return dict(
        zip(
            (*PARAMETERS, *SPARE),
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
                spare.id,
                newcomer.id,
            ),
            strict=True,
        )
    )


P = "/api/v1/t/<slug>/partners"
Ids = dict[str, str]


def _decision(ids: Ids) -> dict[str, Any]:
    resources = [{"resource_id": ids["spare_resource_id"]}]
    return {"title": "决议：助老服务", "need_id": ids["need_id"], "resources": resources}


#: (method, rule) → (status for a platform admin in its own community, body).
CALLS: dict[tuple[str, str], tuple[int, Any]] = {
    ("GET", f"{P}/overview"): (200, None),
    ("GET", f"{P}/units"): (200, None),
    ("GET", f"{P}/units/<string:unit_slug>"): (200, None),
    ("PUT", f"{P}/units/<string:unit_slug>"): (200, {"agreement_no": "GJ-2026-01"}),
    ("POST", f"{P}/units/<string:unit_slug>/attachments"): (422, None),  # no file in JSON
    ("GET", f"{P}/units/<string:unit_slug>/attachments/<uuid:attachment_id>"): (200, None),
    ("DELETE", f"{P}/units/<string:unit_slug>/attachments/<uuid:attachment_id>"): (204, None),
    ("GET", f"{P}/resources"): (200, None),
    ("POST", f"{P}/resources"): (201, {"unit": "shared-unit", "kind": "venue", "title": "会议室"}),
    ("GET", f"{P}/resources/<uuid:resource_id>"): (200, None),
    ("PATCH", f"{P}/resources/<uuid:resource_id>"): (200, {"title": "党群会议室"}),
    ("DELETE", f"{P}/resources/<uuid:resource_id>"): (204, None),
    ("GET", f"{P}/needs"): (200, None),
    ("POST", f"{P}/needs"): (201, {"title": "助老", "category": "养老服务"}),
    ("GET", f"{P}/needs/open"): (200, None),
    ("GET", f"{P}/needs/<uuid:need_id>"): (200, None),
    ("PATCH", f"{P}/needs/<uuid:need_id>"): (200, {"urgency": "high"}),
    ("GET", f"{P}/needs/<uuid:need_id>/matches"): (200, None),
    ("GET", f"{P}/projects"): (200, None),
    ("POST", f"{P}/projects"): (201, _decision),
    ("GET", f"{P}/projects/<uuid:project_id>"): (200, None),
    ("PATCH", f"{P}/projects/<uuid:project_id>"): (200, {"title": "慰问高龄老人"}),
    ("POST", f"{P}/projects/<uuid:project_id>/status"): (200, {"status": "agreed"}),
    ("GET", f"{P}/meetings"): (200, None),
    ("POST", f"{P}/meetings"): (201, {"held_on": "2026-02-02", "title": "联席会议"}),
    ("GET", f"{P}/meetings/<uuid:meeting_id>"): (200, None),
    ("PATCH", f"{P}/meetings/<uuid:meeting_id>"): (200, {"minutes": "议定三件事"}),
    ("POST", f"{P}/meetings/<uuid:meeting_id>/decisions"): (201, _decision),
    ("GET", f"{P}/activities"): (200, None),
    (
        "POST",
        f"{P}/activities",
    ): (
        201,
        {
            "title": "睦邻节",
            "held_on": "2026-01-06",
            "units": [{"unit": "shared-unit", "headcount": 3}],
        },
    ),
    ("GET", f"{P}/activities/<uuid:activity_id>"): (200, None),
    ("GET", f"{P}/hours"): (200, None),
    (
        "POST",
        f"{P}/hours",
    ): (201, {"unit": "shared-unit", "served_on": "2026-01-05", "hours": 2, "content": "讲座"}),
    ("GET", f"{P}/hours/<uuid:entry_id>"): (200, None),
    ("DELETE", f"{P}/hours/<uuid:entry_id>"): (204, None),
    ("POST", f"{P}/hours/<uuid:entry_id>/verification"): (200, {"verified": True}),
    ("GET", f"{P}/party-members"): (200, None),
    ("POST", f"{P}/party-members"): (
        201,
        lambda ids: {"resident_id": ids["spare_resident_id"], "unit": "shared-unit"},
    ),
    ("GET", f"{P}/party-members/<uuid:member_id>"): (200, None),
    ("GET", f"{P}/party-members/<uuid:member_id>/tasks"): (200, None),
    ("POST", f"{P}/party-members/<uuid:member_id>/tasks"): (201, {"title": "政策宣讲"}),
    ("GET", f"{P}/tasks/<uuid:task_id>"): (200, None),
    ("PATCH", f"{P}/tasks/<uuid:task_id>"): (200, {"note": "已入户"}),
    ("GET", f"{P}/evaluations"): (200, None),
    ("POST", f"{P}/evaluations"): (201, {"year": 2026, "unit": "shared-unit", "grade": "good"}),
    ("POST", f"{P}/exports"): (422, None),  # the list to export is a query argument
}
