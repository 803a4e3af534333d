"""Buildings in and out of spreadsheets, as background jobs.

Import (``places.import_buildings``): one row per building with its compound (小区),
name (楼栋) and floors (层数); compounds are created as needed. In ``all`` mode (the
default) nothing is imported unless every row is valid — the job fails with the list of
bad rows, by the row number Excel shows. In ``valid`` mode the valid rows are imported
and the bad ones reported. Either way the import is one transaction, so a worker killed
halfway imports nothing and the retry starts clean.

Export (``places.export_buildings``): every building with its compound, as xlsx or csv.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from linli import db
from linli.api.fields import Text
from linli.jobs.files import keep_result, upload_path
from linli.jobs.kinds import job_kind
from linli.jobs.runner import JobFailed, progress
from linli.residents.models import Building, Compound
from linli.spreadsheets.reading import (
    ReadResult,
    SpreadsheetTooLarge,
    UnreadableSpreadsheet,
    read_table,
)
from linli.spreadsheets.writing import Column, write_csv, write_xlsx
from linli.tenancy.context import require_tenant

HEADERS = {"小区": "compound", "楼栋": "name", "楼号": "name", "层数": "floors"}
COLUMNS = (Column("compound", "小区"), Column("name", "楼栋"), Column("floors", "层数"))
MODES = ("all", "valid")


class BuildingRow(Schema):
    compound = Text(required=True, validate=validate.Length(min=1, max=200))
    name = Text(required=True, validate=validate.Length(min=1, max=100))
    floors = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=200))


def _errors(result: ReadResult) -> list[dict[str, Any]]:
    return [
        {"row": e.row, "field": e.field, "code": e.code, "message": e.message}
        for e in result.errors
    ]


def read_upload(
    upload_id: str, extension: str, schema: Schema, headers: Mapping[str, str]
) -> ReadResult:
    """The uploaded spreadsheet of an import job, read with ``schema``; a file that is gone,
    too large or no table fails the job with a code the API shows."""
    path = upload_path(require_tenant().id, uuid.UUID(upload_id), extension)
    if not path.is_file():
        raise JobFailed("upload_missing", "The uploaded file is no longer there")
    try:
        return read_table(path.read_bytes(), path.name, schema, header_map=headers)
    except (SpreadsheetTooLarge, UnreadableSpreadsheet) as exc:
        raise JobFailed(exc.code, str(exc)) from exc


@job_kind("places.import_buildings")
def import_buildings(upload_id: str, extension: str, mode: str = "all") -> dict[str, Any]:
    result = read_upload(upload_id, extension, BuildingRow(), HEADERS)
    progress(30)
    if result.errors and (mode == "all" or not result.rows):
        raise JobFailed(
            "invalid_rows",
            "Some rows are not valid; nothing was imported",
            {"errors": _errors(result), "total": result.total},
        )
    created = {"compounds": 0, "buildings": 0, "unchanged": 0}
    with db.database().session_scope() as session:
        compounds = {c.name: c for c in session.scalars(select(Compound))}
        existing = {(b.compound_id, b.name): b for b in session.scalars(select(Building))}
        for row in result.rows:
            compound = compounds.get(row["compound"])
            if compound is None:
                compound = compounds[row["compound"]] = Compound(name=row["compound"])
                session.add(compound)
                session.flush()
                created["compounds"] += 1
            building = existing.get((compound.id, row["name"]))
            if building is None:
                building = Building(compound_id=compound.id, name=row["name"])
                session.add(building)
                existing[(compound.id, row["name"])] = building
                created["buildings"] += 1
            else:
                created["unchanged"] += 1
            building.floors = row.get("floors")
    progress(95)
    return {**created, "total": result.total, "errors": _errors(result)}


@job_kind("places.export_buildings")
def export_buildings(file_format: str = "xlsx") -> dict[str, Any]:
    session = db.session()
    query = (
        select(Compound.name, Building.name, Building.floors)
        .join(Compound, Compound.id == Building.compound_id)
        .order_by(Compound.name, Building.name)
    )
    rows = ({"compound": c, "name": n, "floors": f} for c, n, f in session.execute(query))
    data = write_xlsx(COLUMNS, rows) if file_format == "xlsx" else write_csv(COLUMNS, rows)
    name = f"buildings.{file_format}"
    keep_result(name, data)
    return {"file": name, "bytes": len(data)}
