"""Volunteers in from spreadsheets, records out for the national system, as jobs.

Import (``volunteers.import_volunteers``): one row per volunteer, who must already be in
the residents registry: 姓名 and, when the name is not unique, 手机尾号 (the last four
digits of the phone) pick the resident. 服务队 names an existing team; 技能 lists skills
separated by 、 or commas. Every bad row is reported by its spreadsheet row number; in
``all`` mode nothing is imported unless every row is good, in ``valid`` mode the good
rows are. One transaction either way, so a retried job starts clean.

Export (``volunteers.export_records``): verified hours, one row per entry, in the
columns of the national volunteer information system's service-hours import
(全国志愿服务信息系统 服务时长导入), ID numbers masked as the registry shows them.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from marshmallow import Schema, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli import db
from linli.api.fields import Text
from linli.jobs.files import keep_result, upload_path
from linli.jobs.runner import JobFailed, progress
from linli.residents import lookup
from linli.spreadsheets.reading import (
    ReadResult,
    RowError,
    SpreadsheetTooLarge,
    UnreadableSpreadsheet,
    read_table,
)
from linli.spreadsheets.writing import Column, write_xlsx
from linli.tenancy.context import require_tenant
from plugins.volunteers import services
from plugins.volunteers.certificates import ID_TYPES, NOT_RECORDED
from plugins.volunteers.models import HourRecord, HourStatus, Team, Volunteer

HEADERS = {
    "姓名": "name",
    "手机尾号": "phone_tail",
    "志愿者编号": "number",
    "服务队": "team",
    "技能": "skills",
    "可服务时间": "availability",
    "服务内容": "service_note",
}
MODES = ("all", "valid")
_SKILL_SEPARATORS = re.compile(r"[、,，;；/\s]+")


class VolunteerRow(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=100))
    phone_tail = Text(validate=validate.Regexp(r"^\d{4}$"))
    number = Text(validate=validate.Length(min=1, max=40))
    team = Text(validate=validate.Length(min=1, max=100))
    skills = Text(validate=validate.Length(max=400))
    availability = Text(validate=validate.Length(max=200))
    service_note = Text(validate=validate.Length(max=200))


def _errors(errors: list[RowError]) -> list[dict[str, Any]]:
    return [{"row": e.row, "field": e.field, "code": e.code, "message": e.message} for e in errors]


def _read(upload_id: str, extension: str) -> ReadResult:
    path = upload_path(require_tenant().id, uuid.UUID(upload_id), extension)
    if not path.is_file():
        raise JobFailed("upload_missing", "The uploaded file is no longer there")
    try:
        return read_table(path.read_bytes(), path.name, VolunteerRow(), header_map=HEADERS)
    except (SpreadsheetTooLarge, UnreadableSpreadsheet) as exc:
        raise JobFailed(exc.code, str(exc)) from exc


def _resident(session: Session, row: dict[str, Any]) -> uuid.UUID | str:
    """The resident a row names, or the reason it names none."""
    found = [c for c in lookup.search(session, row["name"], limit=50) if c.name == row["name"]]
    if "phone_tail" in row:
        found = [c for c in found if (c.phone_masked or "").endswith(row["phone_tail"])]
    if not found:
        return "No resident of this community has this name (and phone tail)"
    if len(found) > 1:
        return "Several residents have this name: add the phone tail (手机尾号)"
    return found[0].id


def _plan(
    session: Session, result: ReadResult, today: date
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Rows ready to insert, and the rows that cannot be (by spreadsheet row)."""
    teams = {t.name: t for t in session.scalars(select(Team))}
    known = {v.resident_id for v in session.scalars(select(Volunteer))}
    numbers = set(session.scalars(select(Volunteer.number)))
    ready, errors = [], list(result.errors)
    for row, line in zip(result.rows, result.row_numbers, strict=True):
        resident = _resident(session, row)
        problem: tuple[str, str] | None = None
        if isinstance(resident, str):
            problem = ("name", resident)
        elif resident in known:
            problem = ("name", "This resident is a volunteer here already")
        elif row.get("team") and row["team"] not in teams:
            problem = ("team", "No team of this name")
        elif row.get("number") in numbers:
            problem = ("number", "This volunteer number is taken")
        if problem is not None:
            errors.append(RowError(line, problem[0], "invalid", problem[1]))
            continue
        assert isinstance(resident, uuid.UUID)
        known.add(resident)
        numbers.add(row.get("number", ""))
        ready.append({**row, "resident_id": resident, "team": teams.get(row.get("team", ""))})
    return ready, errors


def import_volunteers(upload_id: str, extension: str, mode: str = "all") -> dict[str, Any]:
    result = _read(upload_id, extension)
    progress(20)
    today = date.today()
    with db.database().session_scope() as session:
        ready, errors = _plan(session, result, today)
        if errors and (mode == "all" or not ready):
            raise JobFailed(
                "invalid_rows",
                "Some rows are not valid; nothing was imported",
                {"errors": _errors(errors), "total": result.total},
            )
        progress(60)
        for row in ready:
            volunteer = Volunteer(
                resident_id=row["resident_id"],
                name=row["name"],
                number=row.get("number") or services.next_number(session, today),
                skills=[s for s in _SKILL_SEPARATORS.split(row.get("skills", "")) if s],
                availability=row.get("availability"),
                service_note=row.get("service_note"),
                joined_on=today,
            )
            session.add(volunteer)
            session.flush()
            if row["team"] is not None:
                services.join_team(session, row["team"], volunteer, is_lead=False)
    progress(95)
    return {"imported": len(ready), "total": result.total, "errors": _errors(errors)}


EXPORT_COLUMNS = (
    Column("name", "姓名"),
    Column("id_type", "证件类型"),
    Column("id_number", "证件号码"),
    Column("number", "志愿者编号"),
    Column("content", "服务内容"),
    Column("served_on", "服务日期"),
    Column("hours", "服务时长（小时）"),
    Column("team", "组织（服务队）"),
)


def _documents(session: Session, volunteers: list[Volunteer]) -> dict[uuid.UUID, tuple[str, str]]:
    found: dict[uuid.UUID, tuple[str, str]] = {}
    for volunteer in volunteers:
        document = (
            lookup.id_document(session, volunteer.resident_id) if volunteer.resident_id else None
        )
        if document is None or document.id_type is None:
            found[volunteer.id] = (NOT_RECORDED, NOT_RECORDED)
        else:
            kind = ID_TYPES.get(document.id_type, document.id_type)
            found[volunteer.id] = (kind, document.number_masked or NOT_RECORDED)
    return found


def export_records() -> dict[str, Any]:
    session = db.session()
    volunteers = {v.id: v for v in session.scalars(select(Volunteer))}
    teams = dict(session.execute(select(Team.id, Team.name)).all())
    documents = _documents(session, list(volunteers.values()))
    query = (
        select(HourRecord)
        .where(HourRecord.status == HourStatus.APPROVED.value)
        .order_by(HourRecord.served_on, HourRecord.id)
    )
    rows = (
        {
            "name": volunteers[e.volunteer_id].name,
            "id_type": documents[e.volunteer_id][0],
            "id_number": documents[e.volunteer_id][1],
            "number": volunteers[e.volunteer_id].number,
            "content": e.content,
            "served_on": e.served_on,
            "hours": float(e.hours),
            "team": teams.get(e.team_id, "") if e.team_id else "",
        }
        for e in session.scalars(query)
    )
    data = write_xlsx(EXPORT_COLUMNS, rows)
    name = "volunteer-hours.xlsx"
    keep_result(name, data)
    return {"file": name, "bytes": len(data)}
