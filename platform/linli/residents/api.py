"""Places API: ``/api/v1/t/<slug>/compounds`` and ``/buildings``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from linli import db
from linli.api.pagination import columns_shown, paged
from linli.api.tenant_api import tenant_blueprint, tenant_row_or_404
from linli.identity.permissions import PLACES_READ, PLACES_WRITE, require
from linli.jobs.enqueue import enqueue
from linli.jobs.files import larger_uploads, save_upload
from linli.jobs.models import JobRecord
from linli.jobs.schemas import JobOut
from linli.residents import services, transfer
from linli.residents.models import Building, Compound
from linli.residents.schemas import (
    BuildingIn,
    BuildingOut,
    BuildingPatch,
    CompoundIn,
    CompoundOut,
    CompoundPatch,
)

blp = tenant_blueprint("places", __name__, description="Compounds (小区) and buildings (楼栋)")
# built once (see api.pagination), of the columns the list shows
COMPOUND_LIST = columns_shown(Compound, CompoundOut).order_by(Compound.name)


@blp.route("/compounds")
class Compounds(MethodView):
    @require(PLACES_READ)
    @blp.response(200, CompoundOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Sequence[Any]:
        """List compounds"""
        return paged(db.session(), COMPOUND_LIST, pagination_parameters)

    @require(PLACES_WRITE)
    @blp.arguments(CompoundIn)
    @blp.response(201, CompoundOut)
    def post(self, data: dict[str, Any]) -> Compound:
        """Add a compound"""
        session = db.session()
        compound = services.create_compound(session, data)
        session.commit()
        return compound


@blp.route("/compounds/<uuid:compound_id>")
class CompoundItem(MethodView):
    @require(PLACES_READ)
    @blp.response(200, CompoundOut)
    def get(self, compound_id: uuid.UUID) -> Compound:
        """Get a compound"""
        return tenant_row_or_404(Compound, compound_id)

    @require(PLACES_WRITE)
    @blp.arguments(CompoundPatch)
    @blp.response(200, CompoundOut)
    def patch(self, data: dict[str, Any], compound_id: uuid.UUID) -> Compound:
        """Update a compound"""
        session = db.session()
        compound = tenant_row_or_404(Compound, compound_id)
        services.update_compound(session, compound, data)
        session.commit()
        return compound

    @require(PLACES_WRITE)
    @blp.response(204)
    def delete(self, compound_id: uuid.UUID) -> None:
        """Delete a compound and its buildings"""
        session = db.session()
        services.delete_compound(session, tenant_row_or_404(Compound, compound_id))
        session.commit()


@blp.route("/compounds/<uuid:compound_id>/buildings")
class CompoundBuildings(MethodView):
    @require(PLACES_READ)
    @blp.response(200, BuildingOut(many=True))
    def get(self, compound_id: uuid.UUID) -> Sequence[Building]:
        """List the buildings of a compound"""
        compound = tenant_row_or_404(Compound, compound_id)
        return services.list_buildings(db.session(), compound.id)

    @require(PLACES_WRITE)
    @blp.arguments(BuildingIn)
    @blp.response(201, BuildingOut)
    def post(self, data: dict[str, Any], compound_id: uuid.UUID) -> Building:
        """Add a building to a compound"""
        session = db.session()
        building = services.create_building(session, tenant_row_or_404(Compound, compound_id), data)
        session.commit()
        return building


@blp.route("/buildings/<uuid:building_id>")
class BuildingItem(MethodView):
    @require(PLACES_READ)
    @blp.response(200, BuildingOut)
    def get(self, building_id: uuid.UUID) -> Building:
        """Get a building"""
        return tenant_row_or_404(Building, building_id)

    @require(PLACES_WRITE)
    @blp.arguments(BuildingPatch)
    @blp.response(200, BuildingOut)
    def patch(self, data: dict[str, Any], building_id: uuid.UUID) -> Building:
        """Update a building"""
        session = db.session()
        building = tenant_row_or_404(Building, building_id)
        services.update_building(session, building, data)
        session.commit()
        return building

    @require(PLACES_WRITE)
    @blp.response(204)
    def delete(self, building_id: uuid.UUID) -> None:
        """Delete a building"""
        session = db.session()
        session.delete(tenant_row_or_404(Building, building_id))
        session.commit()


class ImportArgs(Schema):
    mode = fields.String(load_default="all", validate=validate.OneOf(transfer.MODES))


class ExportArgs(Schema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(["xlsx", "csv"]))


@blp.route("/buildings/import", methods=["POST"])
@require(PLACES_WRITE)
@blp.arguments(ImportArgs, location="query")
@blp.response(202, JobOut)
def import_buildings(args: dict[str, Any]) -> JobRecord:
    """Import buildings from an .xlsx or .csv file (multipart field ``file``), as a job.

    Columns: 小区, 楼栋, 层数. ``mode=all`` imports nothing unless every row is valid;
    ``mode=valid`` imports the valid rows. Either way the job reports each bad row.
    """
    upload_id, extension = save_upload(g.tenant.id)
    return enqueue(transfer.import_buildings, upload_id, extension, args["mode"], queue="bulk")


@blp.route("/buildings/export", methods=["POST"])
@require(PLACES_WRITE)
@blp.arguments(ExportArgs, location="query")
@blp.response(202, JobOut)
def export_buildings(args: dict[str, Any]) -> JobRecord:
    """Export every building with its compound as .xlsx or .csv, as a job (staff work)"""
    return enqueue(transfer.export_buildings, args["format"], queue="reports")


blp.before_request(larger_uploads("places.import_buildings"))
