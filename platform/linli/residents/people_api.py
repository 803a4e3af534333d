"""Residents API: ``/api/v1/t/<slug>/residents`` and ``/households``.

Lists and items are masked for everyone; the full ID number and phone come only from
``POST …/identity`` (an action, because it leaves an audit event), for roles holding
``residents.reveal``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from flask import g
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from linli import db
from linli.api.fields import Text
from linli.api.pagination import paged
from linli.api.problems import Problem, not_found
from linli.api.tenant_api import tenant_blueprint, tenant_row_or_404
from linli.identity.permissions import (
    RESIDENTS_ERASE,
    RESIDENTS_EXPORT,
    RESIDENTS_LOOKUP,
    RESIDENTS_MERGE,
    RESIDENTS_READ,
    RESIDENTS_REVEAL,
    RESIDENTS_WRITE,
    require,
)
from linli.jobs.files import larger_uploads
from linli.jobs.models import JobRecord
from linli.jobs.schemas import JobOut
from linli.residents import erasure, lookup, merging, people_transfer, services, tags
from linli.residents.people import Household, Resident, ResidentTag, TagDefinition
from linli.residents.people_schemas import (
    CardOut,
    HouseholdIn,
    HouseholdOut,
    HouseholdPatch,
    IdentityOut,
    LookupQuery,
    MergeIn,
    MergeOut,
    ResidentIn,
    ResidentOut,
    ResidentPatch,
    ResidentQuery,
    TagIn,
    TagOut,
)
from linli.residents.search import residents_query
from linli.residents.visibility import visible

blp = tenant_blueprint("residents", __name__, description="Residents (居民) and households (户)")


def _resident_or_404(resident_id: uuid.UUID) -> Resident:
    """A resident the caller may see (a 网格员 outside their grid gets the same 404)."""
    found = db.session().scalars(visible(select(Resident).where(Resident.id == resident_id)))
    resident: Resident | None = found.one_or_none()
    if resident is None:
        raise not_found()
    return resident


def _present(residents: Sequence[Resident]) -> list[dict[str, Any]]:
    cards = lookup.describe(db.session(), residents)
    return [
        {
            **{c: getattr(r, c) for c in ResidentOut().fields if hasattr(Resident, c)},
            "phone": r.phone_masked,
            "id_number": r.id_number_masked,
            "age": cards[r.id].age,
            "address": cards[r.id].address,
            "tags": list(cards[r.id].tags),
            "erased": r.erased_at is not None,
        }
        for r in residents
    ]


@blp.route("/residents")
class Residents(MethodView):
    @require(RESIDENTS_READ)
    @blp.arguments(ResidentQuery, location="query")
    @blp.response(200, ResidentOut(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[dict[str, Any]]:
        """Search residents (masked): name, phone tail, place, tags, age range, residency"""
        query = residents_query(args, date.today()).order_by(Resident.name, Resident.id)
        page = paged(db.session(), query, pagination_parameters)
        return _present(page)

    @require(RESIDENTS_WRITE)
    @blp.arguments(ResidentIn)
    @blp.response(201, ResidentOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register a resident (409 ``duplicate_resident`` for a registered ID number)"""
        session = db.session()
        resident = services.add_resident(session, data)
        duplicates = services.possible_duplicates(session, resident)
        session.commit()
        return {**_present([resident])[0], "possible_duplicates": duplicates}


@blp.route("/residents/<uuid:resident_id>")
class ResidentItem(MethodView):
    @require(RESIDENTS_READ)
    @blp.response(200, ResidentOut)
    def get(self, resident_id: uuid.UUID) -> dict[str, Any]:
        """A resident (masked)"""
        return _present([_resident_or_404(resident_id)])[0]

    @require(RESIDENTS_WRITE)
    @blp.arguments(ResidentPatch)
    @blp.response(200, ResidentOut)
    def patch(self, data: dict[str, Any], resident_id: uuid.UUID) -> dict[str, Any]:
        """Change a resident"""
        session = db.session()
        resident = _resident_or_404(resident_id)
        services.update_resident(session, resident, data)
        session.commit()
        return _present([resident])[0]


@blp.route("/residents/<uuid:resident_id>/identity", methods=["POST"])
@require(RESIDENTS_REVEAL)
@blp.response(200, IdentityOut)
def reveal_identity(resident_id: uuid.UUID) -> dict[str, str | None]:
    """The full ID number and phone (audited: who saw whose, when)"""
    session = db.session()
    resident = _resident_or_404(resident_id)
    if resident.erased_at is not None:
        raise services.erased_already()
    shown = services.reveal(session, resident)
    session.commit()
    return shown


@blp.route("/residents/<uuid:resident_id>/personal-data", methods=["POST"])
@require(RESIDENTS_EXPORT)
@blp.response(200)
def personal_data(resident_id: uuid.UUID) -> dict[str, Any]:
    """Everything held about one person, on their request (audited)"""
    session = db.session()
    data = erasure.personal_data(session, g.tenant, _resident_or_404(resident_id))
    session.commit()
    return data


@blp.route("/residents/<uuid:resident_id>/erase", methods=["POST"])
@require(RESIDENTS_ERASE)
@blp.response(200, ResidentOut)
def erase(resident_id: uuid.UUID) -> dict[str, Any]:
    """Erase the person's identity on request; statistics keep counting them"""
    session = db.session()
    resident = _resident_or_404(resident_id)
    erasure.erase(session, g.tenant, resident)
    session.commit()
    return _present([resident])[0]


@blp.route("/residents/merge", methods=["POST"])
@require(RESIDENTS_MERGE)
@blp.arguments(MergeIn)
@blp.response(200, MergeOut)
def merge(data: dict[str, Any]) -> dict[str, Any]:
    """Merge a duplicate into the resident kept; every module's references move over"""
    session = db.session()
    keep = _resident_or_404(data["keep_id"])
    moved = merging.merge(session, keep, _resident_or_404(data["duplicate_id"]))
    session.commit()
    return {"kept": _present([keep])[0], "moved_references": moved}


@blp.route("/residents/lookup")
@require(RESIDENTS_LOOKUP)
@blp.arguments(LookupQuery, location="query")
@blp.response(200, CardOut(many=True))
def pick(args: dict[str, Any]) -> list[lookup.ResidentCard]:
    """Pick residents by name or 4-digit phone tail (modules' resident picker)"""
    return lookup.search(db.session(), args["q"])


@blp.route("/residents/tags")
class Tags(MethodView):
    @require(RESIDENTS_READ)
    @blp.response(200, TagOut(many=True))
    def get(self) -> list[dict[str, Any]]:
        """The community's tag dictionary (built-in, derived and its own)"""
        return [
            {
                "code": code,
                "name": name,
                "derived": code in tags.DERIVED_CODES,
                "built_in": code in tags.BUILT_IN_CODES,
            }
            for code, name in services.tag_dictionary(db.session()).items()
        ]

    @require(RESIDENTS_WRITE)
    @blp.arguments(TagIn)
    @blp.response(201, TagOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add a tag of the community's own"""
        session = db.session()
        if data["code"] in services.tag_dictionary(session):
            raise Problem(409, "duplicate_tag", _l("The tag exists already"))
        session.add(TagDefinition(**data))
        session.commit()
        return {"code": data["code"], "name": data["name"], "derived": False, "built_in": False}


@blp.route("/residents/tags/<string:code>", methods=["DELETE"])
@require(RESIDENTS_WRITE)
@blp.response(204)
def delete_tag(code: str) -> None:
    """Remove a tag of the community's own (refused while residents carry it)"""
    session = db.session()
    row = session.scalars(select(TagDefinition).where(TagDefinition.code == code)).one_or_none()
    if row is None:
        raise not_found()
    in_use = select(func.count()).select_from(ResidentTag).where(ResidentTag.code == code)
    if session.scalar(in_use):
        raise Problem(409, "tag_in_use", _l("Residents carry this tag"))
    session.delete(row)
    session.commit()


def _household_view(household: Household) -> dict[str, Any]:
    session = db.session()
    members = session.scalars(
        visible(select(Resident).where(Resident.household_id == household.id)).order_by(
            Resident.relation != "head", Resident.name
        )
    ).all()
    cards = lookup.describe(session, members)
    where = lookup.addresses(session, {household.room_id} if household.room_id else set())
    return {
        "id": household.id,
        "room_id": household.room_id,
        "number": household.number,
        "address": where.get(household.room_id) if household.room_id else None,
        "members": [
            {
                "id": m.id,
                "name": m.name,
                "relation": m.relation,
                "age": cards[m.id].age,
                "tags": list(cards[m.id].tags),
            }
            for m in members
        ],
    }


@blp.route("/households", methods=["POST"])
@require(RESIDENTS_WRITE)
@blp.arguments(HouseholdIn)
@blp.response(201, HouseholdOut)
def add_household(data: dict[str, Any]) -> dict[str, Any]:
    """Add a household (户), optionally at a room"""
    session = db.session()
    household = services.add_household(session, data)
    session.commit()
    return _household_view(household)


@blp.route("/households/<uuid:household_id>")
class HouseholdItem(MethodView):
    @require(RESIDENTS_READ)
    @blp.response(200, HouseholdOut)
    def get(self, household_id: uuid.UUID) -> dict[str, Any]:
        """The household view: its members, their relation to the head, ages and tags"""
        return _household_view(tenant_row_or_404(Household, household_id))

    @require(RESIDENTS_WRITE)
    @blp.arguments(HouseholdPatch)
    @blp.response(200, HouseholdOut)
    def patch(self, data: dict[str, Any], household_id: uuid.UUID) -> dict[str, Any]:
        """Change a household's room or number"""
        session = db.session()
        household = tenant_row_or_404(Household, household_id)
        services.update_household(session, household, data)
        session.commit()
        return _household_view(household)

    @require(RESIDENTS_WRITE)
    @blp.response(204)
    def delete(self, household_id: uuid.UUID) -> None:
        """Remove an empty household"""
        session = db.session()
        household = tenant_row_or_404(Household, household_id)
        services.delete_household(session, household)
        session.commit()


class ImportArgs(Schema):
    mode = fields.String(load_default="all", validate=validate.OneOf(people_transfer.MODES))
    purpose = Text(
        required=True,
        validate=validate.Length(min=2, max=200),
        metadata={"description": "Why the data was collected, recorded on every row"},
    )


class ExportArgs(Schema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(["xlsx", "csv"]))
    full = fields.Boolean(
        load_default=False, metadata={"description": "unmasked (needs residents.reveal; audited)"}
    )


@blp.route("/residents/import", methods=["POST"])
@require(RESIDENTS_WRITE)
@blp.arguments(ImportArgs, location="query")
@blp.response(202, JobOut)
def import_residents(args: dict[str, Any]) -> JobRecord:
    """Import residents from an .xlsx or .csv file (multipart field ``file``), as a job.

    Columns: 姓名, 性别, 出生日期, 手机, 证件类型, 证件号码, 小区, 楼栋, 单元, 房号, 户号,
    与户主关系, 户籍状态, 标签. ``mode=all`` imports nothing unless every row is valid;
    ``mode=valid`` imports the valid rows. The job reports each bad row by its number.
    """
    return people_transfer.start_import(args["purpose"], args["mode"])


@blp.route("/residents/export", methods=["POST"])
@require(RESIDENTS_EXPORT)
@blp.arguments(ExportArgs, location="query")
@blp.response(202, JobOut)
def export_residents(args: dict[str, Any]) -> JobRecord:
    """Export the registry as .xlsx or .csv, masked unless ``full`` (a job)"""
    return people_transfer.start_export(args["format"], args["full"])


blp.before_request(larger_uploads("residents.import_residents"))
