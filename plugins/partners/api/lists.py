"""Partnerships, and the three lists: resources, needs and joint projects."""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from typing import Any

from flask import Response, request, send_file
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from linli import db
from linli.api.pagination import paged
from linli.api.problems import Problem
from linli.api.smorest import file_download
from linli.api.tenant_api import tenant_row_or_404
from linli.identity.permissions import require
from plugins.partners import files, reporting, services
from plugins.partners.api.blueprint import blp, settings
from plugins.partners.models import Need, Project, Resource
from plugins.partners.permissions import CONTRIBUTE, MANAGE, READ
from plugins.partners.schemas import (
    NeedFilter,
    NeedIn,
    NeedOut,
    NeedPatch,
    OverviewOut,
    PartnerUnitOut,
    ProfileIn,
    ProjectFilter,
    ProjectIn,
    ProjectMove,
    ProjectOut,
    ProjectPatch,
    ResourceFilter,
    ResourceIn,
    ResourceOut,
    ResourcePatch,
)


@blp.route("/overview")
class Overview(MethodView):
    @require(READ)
    @blp.response(200, OverviewOut)
    def get(self) -> reporting.Overview:
        """Units, lists and hours at a glance, and when the next meeting and activity are due"""
        return reporting.overview(db.session(), settings())


@blp.route("/units")
class Units(MethodView):
    @require(READ)
    @blp.response(200, PartnerUnitOut(many=True))
    def get(self) -> list[services.UnitView]:
        """Partner units of the community (a unit's member sees their own), ended ones too"""
        return services.list_units(db.session())


@blp.route("/units/<string:unit_slug>")
class UnitItem(MethodView):
    @require(READ)
    @blp.response(200, PartnerUnitOut)
    def get(self, unit_slug: str) -> services.UnitView:
        """One partnership: agreement, contacts, the 五共 commitments, party organisation"""
        return services.get_unit(db.session(), unit_slug)

    @require(MANAGE)
    @blp.arguments(ProfileIn)
    @blp.response(200, PartnerUnitOut)
    def put(self, data: dict[str, Any], unit_slug: str) -> services.UnitView:
        """Record the agreement, contacts, 五共 commitments and 双报到 of the party organisation"""
        session = db.session()
        view = services.save_profile(session, unit_slug, data)
        session.commit()
        return view


@blp.route("/units/<string:unit_slug>/attachments", methods=["POST"])
@require(MANAGE)
@blp.response(201, PartnerUnitOut)
def attach(unit_slug: str) -> services.UnitView:
    """Attach an agreement scan (multipart field ``file``: PDF, JPEG or PNG, up to 10 MB)"""
    upload = request.files.get("file")
    session = db.session()
    content = None if upload is None else (upload.filename or "scan", upload.read())
    view = services.attach(session, unit_slug, content)
    session.commit()
    return view


@blp.route("/units/<string:unit_slug>/attachments/<uuid:attachment_id>")
class AttachmentItem(MethodView):
    @require(READ)
    @blp.doc(**file_download("The scan", "application/pdf", "image/jpeg", "image/png"))
    def get(self, unit_slug: str, attachment_id: uuid.UUID) -> Response:
        """Download an agreement scan"""
        entry, path = services.attachment(db.session(), unit_slug, attachment_id)
        if not path.is_file():
            raise Problem(410, "file_gone", _l("The file is no longer kept."))
        data = io.BytesIO(path.read_bytes())
        return send_file(data, mimetype=entry["content_type"], download_name=entry["name"])

    @require(MANAGE)
    @blp.response(204)
    def delete(self, unit_slug: str, attachment_id: uuid.UUID) -> None:
        """Remove an agreement scan"""
        session = db.session()
        services.detach(session, unit_slug, attachment_id)
        session.commit()


@blp.before_request
def _room_for_scans() -> None:
    """A scanned agreement may be larger than the API's usual body limit."""
    if request.endpoint == "partners.attach":
        request.max_content_length = files.MAX_BYTES
        if (request.content_length or 0) > files.MAX_BYTES:
            raise RequestEntityTooLarge  # before a byte of the body is read


@blp.route("/resources")
class Resources(MethodView):
    @require(READ)
    @blp.arguments(ResourceFilter, location="query")
    @blp.response(200, ResourceOut(many=True))
    @blp.paginate()
    def get(self, filters: dict[str, Any], pagination_parameters: Any) -> Sequence[Resource]:
        """资源清单: what the units offer (a unit's member sees their unit's)"""
        session = db.session()
        query = services.resources_query(session, filters)
        page = paged(session, query, pagination_parameters, Resource.title, Resource.id)
        return services.with_committed(session, page)

    @require(CONTRIBUTE)
    @blp.arguments(ResourceIn)
    @blp.response(201, ResourceOut)
    def post(self, data: dict[str, Any]) -> Resource:
        """Offer a resource (a unit's member: for their own unit)"""
        session = db.session()
        resource = services.add_resource(session, data)
        session.commit()
        return resource


@blp.route("/resources/<uuid:resource_id>")
class ResourceItem(MethodView):
    @require(READ)
    @blp.response(200, ResourceOut)
    def get(self, resource_id: uuid.UUID) -> Resource:
        """One resource, with how much of it projects use"""
        session = db.session()
        return services.with_committed(session, [services.own_resource(session, resource_id)])[0]

    @require(CONTRIBUTE)
    @blp.arguments(ResourcePatch)
    @blp.response(200, ResourceOut)
    def patch(self, data: dict[str, Any], resource_id: uuid.UUID) -> Resource:
        """Change a resource (never below what projects already use)"""
        session = db.session()
        resource = services.update_resource(
            session, services.own_resource(session, resource_id), data
        )
        session.commit()
        return resource

    @require(CONTRIBUTE)
    @blp.response(204)
    def delete(self, resource_id: uuid.UUID) -> None:
        """Withdraw a resource no project uses"""
        session = db.session()
        services.delete_resource(session, services.own_resource(session, resource_id))
        session.commit()


@blp.route("/needs")
class Needs(MethodView):
    @require(READ)
    @blp.arguments(NeedFilter, location="query")
    @blp.response(200, NeedOut(many=True))
    @blp.paginate()
    def get(self, filters: dict[str, Any], pagination_parameters: Any) -> Sequence[Need]:
        """需求清单: the community's needs, most recent first"""
        query = services.needs_query(filters)
        return paged(db.session(), query, pagination_parameters, Need.created_at.desc(), Need.id)

    @require(MANAGE)
    @blp.arguments(NeedIn)
    @blp.response(201, NeedOut)
    def post(self, data: dict[str, Any]) -> Need:
        """Raise a need (from staff, or on a resident's behalf)"""
        session = db.session()
        need = services.add_need(session, data, settings())
        session.commit()
        return need


@blp.route("/needs/open")
class OpenNeeds(MethodView):
    @require(READ)
    @blp.response(200, NeedOut(many=True))
    def get(self) -> Sequence[Need]:
        """Open needs the caller's unit could meet (by the categories its resources serve)"""
        return services.open_needs_for_units(db.session())


@blp.route("/needs/<uuid:need_id>")
class NeedItem(MethodView):
    @require(READ)
    @blp.response(200, NeedOut)
    def get(self, need_id: uuid.UUID) -> Need:
        """One need"""
        return tenant_row_or_404(Need, need_id)

    @require(MANAGE)
    @blp.arguments(NeedPatch)
    @blp.response(200, NeedOut)
    def patch(self, data: dict[str, Any], need_id: uuid.UUID) -> Need:
        """Change, close or reopen a need"""
        session = db.session()
        need = services.update_need(session, tenant_row_or_404(Need, need_id), data, settings())
        session.commit()
        return need


@blp.route("/needs/<uuid:need_id>/matches")
class NeedMatches(MethodView):
    @require(READ)
    @blp.response(200, ResourceOut(many=True))
    def get(self, need_id: uuid.UUID) -> Sequence[Resource]:
        """Resources that could meet the need (same category, available), least used first"""
        return services.matches(db.session(), tenant_row_or_404(Need, need_id))


@blp.route("/projects")
class Projects(MethodView):
    @require(READ)
    @blp.arguments(ProjectFilter, location="query")
    @blp.response(200, ProjectOut(many=True))
    @blp.paginate()
    def get(self, filters: dict[str, Any], pagination_parameters: Any) -> Sequence[Project]:
        """项目清单: joint projects (a unit's member sees those their unit takes part in)"""
        session = db.session()
        query = services.projects_query(session, filters)
        order = (Project.created_at.desc(), Project.id)
        return services.describe(session, paged(session, query, pagination_parameters, *order))

    @require(MANAGE)
    @blp.arguments(ProjectIn)
    @blp.response(201, ProjectOut)
    def post(self, data: dict[str, Any]) -> Project:
        """Match a need to resources: a proposed project"""
        session = db.session()
        project = services.start_project(session, data)
        session.commit()
        return services.describe(session, [project])[0]


@blp.route("/projects/<uuid:project_id>")
class ProjectItem(MethodView):
    @require(READ)
    @blp.response(200, ProjectOut)
    def get(self, project_id: uuid.UUID) -> Project:
        """One project, with its units and resources"""
        session = db.session()
        return services.describe(session, [services.own_project(session, project_id)])[0]

    @require(CONTRIBUTE)
    @blp.arguments(ProjectPatch)
    @blp.response(200, ProjectOut)
    def patch(self, data: dict[str, Any], project_id: uuid.UUID) -> Project:
        """Update a project: dates, the result summary, photos"""
        session = db.session()
        project = services.update_project(session, services.own_project(session, project_id), data)
        session.commit()
        return services.describe(session, [project])[0]


@blp.route("/projects/<uuid:project_id>/status", methods=["POST"])
@require(CONTRIBUTE)
@blp.arguments(ProjectMove)
@blp.response(200, ProjectOut)
def move_project(data: dict[str, Any], project_id: uuid.UUID) -> Project:
    """Move a project on: agreed and cancelled by the community; started and done (with a
    result summary) by its units too"""
    session = db.session()
    project = services.own_project(session, project_id)
    services.move_project(session, project, data["status"], data.get("result"))
    session.commit()
    return services.describe(session, [project])[0]
