"""Hook implementations: what the core may ask of the partner units module."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from linli import db
from linli.plugins.hookspecs import hookimpl
from linli.tenancy.models import Tenant
from plugins.partners import demo, reporting, services
from plugins.partners.models import (
    Activity,
    Evaluation,
    Meeting,
    Need,
    PartyMember,
    Project,
    Resource,
    ServiceHours,
    Task,
)
from plugins.partners.schemas import (
    ActivityOut,
    EvaluationOut,
    HoursOut,
    MeetingOut,
    NeedOut,
    PartnerUnitOut,
    PartyMemberOut,
    ProjectOut,
    ResourceOut,
    TaskOut,
)


@hookimpl
def export_tenant_data(tenant: Tenant) -> dict[str, Any]:
    """Everything the community keeps about its partnerships, for its archive."""
    session = db.session()

    def every(model: type[Any]) -> list[Any]:
        return list(session.scalars(select(model).order_by(model.created_at, model.id)))

    return {
        "partners": {
            "units": PartnerUnitOut(many=True).dump(services.list_units(session)),
            "resources": ResourceOut(many=True).dump(
                services.with_committed(session, every(Resource))
            ),
            "needs": NeedOut(many=True).dump(every(Need)),
            "projects": ProjectOut(many=True).dump(services.describe(session, every(Project))),
            "meetings": MeetingOut(many=True).dump(
                reporting.describe_meetings(session, every(Meeting))
            ),
            "activities": ActivityOut(many=True).dump(
                reporting.describe_activities(session, every(Activity))
            ),
            "hours": HoursOut(many=True).dump(every(ServiceHours)),
            "party_members": PartyMemberOut(many=True).dump(
                reporting.describe_members(session, every(PartyMember))
            ),
            "tasks": TaskOut(many=True).dump(every(Task)),
            "evaluations": EvaluationOut(many=True).dump(
                reporting.describe_evaluations(session, every(Evaluation))
            ),
        }
    }


@hookimpl
def bureau_statistics(tenant: Tenant) -> dict[str, Any]:
    return {"partners": reporting.statistics(db.session())}


@hookimpl
def seed_demo(tenant: Tenant) -> None:
    demo.seed(db.session(), tenant)
