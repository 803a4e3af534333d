"""The three lists (三张清单) and the partnership profiles: where the rules live.

* A resource (资源清单) belongs to one unit; a unit's member edits only their unit's.
* A need (需求清单) is open until a project takes it up (matched), met when a project on
  it is done; it can be closed by staff without a project.
* A project (项目清单) matches one need to one or more resources, possibly of several
  units. A counted resource (``quantity``) can never be committed beyond its quantity
  across live projects: the resource rows are locked (``SELECT … FOR UPDATE``) while the
  commitment is checked and written, so two projects racing for the last places cannot
  both get them. Status moves proposed → agreed → in_progress → done (or cancelled);
  agreeing and cancelling are the community's, the unit reports progress and results.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linli.api.problems import Problem, invalid, not_found
from linli.api.tenant_api import tenant_row_or_404
from linli.db import utcnow
from linli.identity.models import Partnership, PartnerUnit
from linli.residents.lookup import require_resident
from plugins.partners import files, units
from plugins.partners.models import (
    Meeting,
    Need,
    NeedStatus,
    Project,
    ProjectResource,
    ProjectStatus,
    Resource,
    UnitProfile,
)

MAX_ATTACHMENTS = 20
LIVE = (ProjectStatus.PROPOSED, ProjectStatus.AGREED, ProjectStatus.IN_PROGRESS)


def insert_once(session: Session, row: object, duplicate: Problem) -> None:
    """Insert a row a unique constraint allows once: a second (even a concurrent one,
    which no prior check could see) is the ``duplicate`` problem, not a 500."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as exc:
        raise duplicate from exc


# --- partnership profiles ----------------------------------------------------------------------


@dataclass(frozen=True)
class UnitView:
    """A partnership as the community sees it: the core's row and the module's profile
    (a blank, unsaved one until the community records something)."""

    partnership: Partnership
    profile: UnitProfile

    @property
    def unit(self) -> PartnerUnit:
        return self.partnership.unit

    @property
    def status(self) -> str:
        return self.partnership.status

    @property
    def active(self) -> bool:
        return units.is_active(self.partnership, date.today())

    @property
    def starts_on(self) -> date | None:
        return self.partnership.starts_on

    @property
    def ends_on(self) -> date | None:
        return self.partnership.ends_on


def _view(partnership: Partnership, profile: UnitProfile | None) -> UnitView:
    blank = UnitProfile(unit_id=partnership.unit_id, contacts=[], attachments=[])
    return UnitView(partnership, profile or blank)


def list_units(session: Session) -> list[UnitView]:
    mine = units.own_units(session)
    profiles = {p.unit_id: p for p in session.scalars(select(UnitProfile))}
    return [
        _view(p, profiles.get(p.unit_id))
        for p in units.partnerships(session)
        if mine is None or p.unit_id in mine
    ]


def get_unit(session: Session, slug: str) -> UnitView:
    found = next((view for view in list_units(session) if view.unit.slug == slug), None)
    if found is None:
        raise not_found()
    return found


def _profile(session: Session, slug: str) -> tuple[Partnership, UnitProfile]:
    """The partnership and its profile, saved from now on."""
    view = get_unit(session, slug)
    if inspect(view.profile).transient:
        busy = Problem(409, "profile_changed", _l("Someone else is recording this partnership."))
        insert_once(session, view.profile, busy)
    return view.partnership, view.profile


def save_profile(session: Session, slug: str, data: Mapping[str, Any]) -> UnitView:
    partnership, profile = _profile(session, slug)
    fields = dict(data)
    fields.update(fields.pop("wugong", None) or {})
    for key, value in fields.items():
        setattr(profile, key, value)
    session.flush()
    return UnitView(partnership, profile)


def attach(session: Session, slug: str, upload: tuple[str, bytes] | None) -> UnitView:
    """Keep an agreement scan (file name, content) with the partnership: PDF, JPEG or PNG."""
    partnership, profile = _profile(session, slug)
    kind = None if upload is None else files.sniff(upload[1][:16])
    if upload is None or kind is None:
        raise invalid("files", "file", _l("Upload a PDF, JPEG or PNG file."))
    name, content = upload
    if len(profile.attachments) >= MAX_ATTACHMENTS:
        raise Problem(409, "too_many_attachments", _l("No more files can be attached."))
    file_id = uuid.uuid4()
    files.path_of(file_id, kind[1]).write_bytes(content)
    entry = {"id": str(file_id), "name": name[:200], "content_type": kind[0], "bytes": len(content)}
    profile.attachments = [*profile.attachments, entry]
    session.flush()
    return UnitView(partnership, profile)


def attachment(session: Session, slug: str, file_id: uuid.UUID) -> tuple[dict[str, Any], Path]:
    """An attachment of the partnership and where its file is (404 when unknown)."""
    entry = next(
        (a for a in get_unit(session, slug).profile.attachments if a["id"] == str(file_id)), None
    )
    if entry is None:
        raise not_found()
    extension = next(ext for kind, ext in files.KINDS.values() if kind == entry["content_type"])
    return entry, files.path_of(file_id, extension)


def detach(session: Session, slug: str, file_id: uuid.UUID) -> None:
    entry, path = attachment(session, slug, file_id)
    _partnership, profile = _profile(session, slug)
    profile.attachments = [a for a in profile.attachments if a["id"] != entry["id"]]
    session.flush()
    path.unlink(missing_ok=True)


# --- resources ---------------------------------------------------------------------------------


def _mine(query: Select[Any], column: Any, session: Session) -> Select[Any]:
    mine = units.own_units(session)
    return query if mine is None else query.where(column.in_(mine))


def committed(session: Session, resource_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Quantity of each resource committed to live or finished (not cancelled) projects."""
    query = (
        select(ProjectResource.resource_id, func.coalesce(func.sum(ProjectResource.quantity), 0))
        .join(Project, Project.id == ProjectResource.project_id)
        .where(
            ProjectResource.resource_id.in_(resource_ids),
            Project.status != ProjectStatus.CANCELLED.value,
        )
        .group_by(ProjectResource.resource_id)
    )
    return {rid: int(total or 0) for rid, total in session.execute(query)}


def with_committed(session: Session, resources: Sequence[Resource]) -> Sequence[Resource]:
    totals = committed(session, [r.id for r in resources])
    for resource in resources:
        resource.committed = totals.get(resource.id, 0)
    return resources


def resources_query(session: Session, filters: Mapping[str, Any]) -> Select[Any]:
    query = _mine(select(Resource), Resource.unit_id, session)
    if "unit" in filters:
        query = query.where(
            Resource.unit_id == units.partnership_of(session, filters["unit"]).unit_id
        )
    if "kind" in filters:
        query = query.where(Resource.kind == filters["kind"])
    if "available" in filters:
        query = query.where(Resource.available.is_(filters["available"]))
    return query


def own_resource(session: Session, resource_id: uuid.UUID) -> Resource:
    resource = tenant_row_or_404(Resource, resource_id)
    units.check_own(session, resource.unit_id)
    return resource


def add_resource(session: Session, data: Mapping[str, Any]) -> Resource:
    fields = dict(data)
    fields["unit_id"] = units.acting_unit(session, fields.pop("unit", None))
    resource = Resource(**fields)
    session.add(resource)
    session.flush()
    return with_committed(session, [resource])[0]


def update_resource(session: Session, resource: Resource, data: Mapping[str, Any]) -> Resource:
    fields = dict(data)
    if "unit" in fields:
        fields["unit_id"] = units.acting_unit(session, fields.pop("unit"))
    quantity = fields.get("quantity")
    if quantity is not None:
        used = committed(session, [resource.id]).get(resource.id, 0)
        if quantity < used:
            raise Problem(
                409,
                "quantity_below_committed",
                _l("Projects already use more than this quantity."),
                used,
            )
    for key, value in fields.items():
        setattr(resource, key, value)
    session.flush()
    return with_committed(session, [resource])[0]


def delete_resource(session: Session, resource: Resource) -> None:
    used = select(ProjectResource.id).where(ProjectResource.resource_id == resource.id).limit(1)
    if session.scalar(used) is not None:
        raise Problem(
            409, "resource_in_use", _l("Projects use this resource; mark it unavailable instead.")
        )
    session.delete(resource)
    session.flush()


# --- needs -------------------------------------------------------------------------------------


def needs_query(filters: Mapping[str, Any]) -> Select[Any]:
    query = select(Need)
    for key in ("status", "category", "urgency"):
        if key in filters:
            query = query.where(getattr(Need, key) == filters[key])
    return query


def _check_need_fields(
    session: Session, data: Mapping[str, Any], settings: Mapping[str, Any]
) -> None:
    if "category" in data and data["category"] not in settings["need_categories"]:
        raise invalid("json", "category", _l("Not one of this community's need categories."))
    if data.get("resident_id") is not None:
        require_resident(session, data["resident_id"])


def add_need(session: Session, data: Mapping[str, Any], settings: Mapping[str, Any]) -> Need:
    _check_need_fields(session, data, settings)
    need = Need(**data)
    session.add(need)
    session.flush()
    return need


def update_need(
    session: Session, need: Need, data: Mapping[str, Any], settings: Mapping[str, Any]
) -> Need:
    _check_need_fields(session, data, settings)
    if data.get("status") == NeedStatus.OPEN and need.status != NeedStatus.CLOSED:
        raise Problem(409, "need_not_closed", _l("Only a closed need can be reopened."))
    if data.get("status") == NeedStatus.CLOSED and _live_projects(session, need.id):
        raise Problem(409, "need_has_projects", _l("Projects are still under way on this need."))
    for key, value in data.items():
        setattr(need, key, value)
    session.flush()
    return need


def open_needs_for_units(session: Session) -> Sequence[Need]:
    """Open needs the caller's unit(s) could meet: a category their available resources
    serve (every open need for the community side)."""
    query = select(Need).where(Need.status == NeedStatus.OPEN.value)
    mine = units.own_units(session)
    if mine is not None:
        offered = session.scalars(
            select(Resource.categories).where(
                Resource.unit_id.in_(mine), Resource.available.is_(True)
            )
        )
        categories = {c for listed in offered for c in listed}
        query = query.where(Need.category.in_(categories))
    return session.scalars(query.order_by(Need.created_at.desc())).all()


def matches(session: Session, need: Need) -> Sequence[Resource]:
    """Available resources offered for the need's category, least committed first."""
    candidates = [
        r
        for r in session.scalars(
            _mine(select(Resource), Resource.unit_id, session).where(Resource.available.is_(True))
        )
        if need.category in r.categories
    ]
    with_committed(session, candidates)
    return sorted(candidates, key=lambda r: (r.committed, r.title))


# --- projects ----------------------------------------------------------------------------------


def _live_projects(session: Session, need_id: uuid.UUID) -> int:
    query = select(func.count()).where(
        Project.need_id == need_id, Project.status.in_([s.value for s in LIVE])
    )
    return session.scalar(query) or 0


def projects_query(session: Session, filters: Mapping[str, Any]) -> Select[Any]:
    query = select(Project)
    mine = units.own_units(session)
    wanted: frozenset[int] | None = mine
    if "unit" in filters:
        unit_id = units.partnership_of(session, filters["unit"]).unit_id
        wanted = frozenset({unit_id}) if mine is None else mine & {unit_id}
    if wanted is not None:
        involved = select(ProjectResource.project_id).where(ProjectResource.unit_id.in_(wanted))
        query = query.where(Project.id.in_(involved))
    if "status" in filters:
        query = query.where(Project.status == filters["status"])
    return query


def project_units(session: Session, project: Project) -> set[int]:
    query = select(ProjectResource.unit_id).where(ProjectResource.project_id == project.id)
    return set(session.scalars(query))


def own_project(session: Session, project_id: uuid.UUID) -> Project:
    """A project the caller may see: any for the community side, its unit's for a unit."""
    project = tenant_row_or_404(Project, project_id)
    mine = units.own_units(session)
    if mine is not None and not (project_units(session, project) & mine):
        raise not_found()
    return project


def _lock_resources(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Resource]:
    """The resources, locked against concurrent commitments until the transaction ends."""
    query = (
        select(Resource)
        .where(Resource.id.in_(ids))
        .order_by(Resource.id)
        .with_for_update(of=Resource)
    )
    return {r.id: r for r in session.scalars(query)}


def start_project(
    session: Session,
    data: Mapping[str, Any],
    *,
    status: ProjectStatus = ProjectStatus.PROPOSED,
) -> Project:
    """A project matching a need to resources; every counted resource keeps its quantity."""
    fields = dict(data)
    commitments = fields.pop("resources")
    need = units.referenced(session, Need, fields["need_id"], "need_id")
    if fields.get("meeting_id") is not None:
        units.referenced(session, Meeting, fields["meeting_id"], "meeting_id")
    if need.status in (NeedStatus.MET, NeedStatus.CLOSED):
        raise Problem(409, "need_not_open", _l("This need is already met or closed."))
    locked = _lock_resources(session, [c["resource_id"] for c in commitments])
    used = committed(session, list(locked))
    project = Project(**fields, status=status.value)
    session.add(project)
    session.flush()
    for commitment in commitments:
        resource = locked.get(commitment["resource_id"])
        if resource is None:
            raise invalid("json", "resources", _l("No such resource in this community."))
        if not resource.available:
            raise Problem(
                409, "resource_unavailable", _l("A resource is not available."), resource.title
            )
        units.acting_unit(session, resource.unit.slug, "resources")
        quantity = _quantity(resource, commitment.get("quantity"), used.get(resource.id, 0))
        session.add(
            ProjectResource(
                project_id=project.id,
                resource_id=resource.id,
                unit_id=resource.unit_id,
                quantity=quantity,
            )
        )
    need.status = NeedStatus.MATCHED.value
    session.flush()
    return project


def _quantity(resource: Resource, asked: int | None, used: int) -> int | None:
    if resource.quantity is None:
        if asked is not None:
            raise invalid(
                "json", "resources", _l("This resource is not counted; give no quantity.")
            )
        return None
    if asked is None:
        raise invalid("json", "resources", _l("Give the quantity taken of a counted resource."))
    if used + asked > resource.quantity:
        raise Problem(
            409,
            "resource_exhausted",
            _l("Not enough of the resource is left."),
            f"{resource.title}: {resource.quantity - used}",
        )
    return asked


def update_project(session: Session, project: Project, data: Mapping[str, Any]) -> Project:
    if project.status in (ProjectStatus.DONE, ProjectStatus.CANCELLED) and set(data) - {
        "result",
        "photos",
    }:
        raise Problem(409, "project_closed", _l("A finished project can only get results."))
    for key, value in data.items():
        setattr(project, key, value)
    session.flush()
    return project


#: status → (statuses it may move to, whether a unit may make that move itself)
MOVES: dict[str, dict[str, bool]] = {
    ProjectStatus.PROPOSED: {ProjectStatus.AGREED: False, ProjectStatus.CANCELLED: False},
    ProjectStatus.AGREED: {ProjectStatus.IN_PROGRESS: True, ProjectStatus.CANCELLED: False},
    ProjectStatus.IN_PROGRESS: {ProjectStatus.DONE: True, ProjectStatus.CANCELLED: False},
}


def move_project(session: Session, project: Project, status: str, result: str | None) -> Project:
    allowed = MOVES.get(project.status, {})
    if status not in allowed:
        raise Problem(
            409,
            "invalid_transition",
            _l("A project cannot move to this status from its current one."),
            f"{project.status} → {status}",
        )
    if not allowed[status] and not units.manages():
        raise Problem(403, "forbidden", _l("Only the community can agree or cancel a project."))
    if result is not None:
        project.result = result
    if status == ProjectStatus.DONE and not project.result:
        raise invalid("json", "result", _l("Summarise the result before closing the project."))
    project.status = status
    if status == ProjectStatus.DONE:
        project.done_at = utcnow()
    session.flush()
    _settle_need(session, project.need_id)
    return project


def _settle_need(session: Session, need_id: uuid.UUID) -> None:
    """A need is met once a project on it is done; open again when none is left alive."""
    need = session.scalars(select(Need).where(Need.id == need_id)).one()
    if need.status == NeedStatus.CLOSED:
        return
    statuses = set(session.scalars(select(Project.status).where(Project.need_id == need_id)))
    if ProjectStatus.DONE in statuses:
        need.status = NeedStatus.MET.value
    elif statuses & {s.value for s in LIVE}:
        need.status = NeedStatus.MATCHED.value
    else:
        need.status = NeedStatus.OPEN.value
    session.flush()


def project_resources(
    session: Session, project_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ProjectResource]]:
    found: dict[uuid.UUID, list[ProjectResource]] = {pid: [] for pid in project_ids}
    query = select(ProjectResource).where(ProjectResource.project_id.in_(project_ids))
    for row in session.scalars(query):
        found[row.project_id].append(row)
    return found


def titles(session: Session, resource_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    query = select(Resource.id, Resource.title).where(Resource.id.in_(resource_ids))
    return {rid: title for rid, title in session.execute(query)}


def describe(session: Session, projects: Sequence[Project]) -> Sequence[Project]:
    """Attach units and committed resources for the API's project shape."""
    rows = project_resources(session, [p.id for p in projects])
    names = titles(session, [r.resource_id for listed in rows.values() for r in listed])
    for project in projects:
        listed = rows[project.id]
        project.resources = [
            {
                "resource_id": r.resource_id,
                "title": names.get(r.resource_id),
                "unit": r.unit,
                "quantity": r.quantity,
            }
            for r in listed
        ]
        seen: dict[int, PartnerUnit] = {r.unit_id: r.unit for r in listed}
        project.units = sorted(seen.values(), key=lambda u: u.name)
    return projects
