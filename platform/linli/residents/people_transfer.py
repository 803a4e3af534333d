"""Residents in and out of spreadsheets, as background jobs.

Import (``residents.import``): one row per person; the columns are the ones a 社区
keeps in its 居民信息表 (姓名, 性别, 出生日期, 手机, 证件类型, 证件号码, 小区, 楼栋, 单元,
房号, 户号, 与户主关系, 户籍状态, 标签). Each row is checked as the API checks one resident
(ID check digit, birth date and sex against the number, duplicates in the registry and
within the file, known tags, an existing building) and every bad row is reported by the
row number Excel shows. ``all`` mode imports nothing unless every row is valid; ``valid``
mode imports the valid rows. Units, rooms and households are created as needed. One
transaction, so a worker killed halfway imports nothing.

Export (``residents.export``): masked by default; ``full`` (for roles allowed to see
identity) decrypts, and is audited as one event naming how many people it held.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli import db
from linli.api.fields import Text
from linli.api.problems import Problem
from linli.audit.recorder import record_access
from linli.db import flush_in_order
from linli.identity.access import check
from linli.identity.permissions import RESIDENTS_REVEAL
from linli.jobs.enqueue import enqueue
from linli.jobs.files import keep_result, save_upload
from linli.jobs.kinds import job_kind
from linli.jobs.models import JobRecord
from linli.jobs.runner import JobFailed, progress
from linli.residents import services, tags
from linli.residents.lookup import describe
from linli.residents.models import Building, Compound, Room, Unit
from linli.residents.people import (
    Gender,
    Household,
    IdType,
    Relation,
    Residency,
    Resident,
    ResidentTag,
)
from linli.residents.transfer import read_upload
from linli.spreadsheets.reading import (
    ReadResult,
)
from linli.spreadsheets.writing import Column, write_csv, write_xlsx
from linli.tenancy.context import require_tenant
from linli.tenancy.models import Tenant

GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE}
RESIDENCIES = {
    "户籍": Residency.REGISTERED,
    "常住": Residency.PERMANENT,
    "流动": Residency.FLOATING,
}
ID_TYPES = {
    "身份证": IdType.RESIDENT_CARD,
    "居民身份证": IdType.RESIDENT_CARD,
    "港澳台居民居住证": IdType.HK_MACAO_TAIWAN,
    "护照": IdType.PASSPORT,
    "外国人永久居留身份证": IdType.FOREIGN_PERMANENT,
    "其他": IdType.OTHER,
}
RELATIONS = {
    "户主": Relation.HEAD,
    "配偶": Relation.SPOUSE,
    "子女": Relation.CHILD,
    "父母": Relation.PARENT,
    "孙子女": Relation.GRANDCHILD,
    "祖父母": Relation.GRANDPARENT,
    "兄弟姐妹": Relation.SIBLING,
    "租户": Relation.TENANT,
    "其他": Relation.OTHER,
}
#: The import's columns as a template's header row names them (HEADERS also takes synonyms).
IMPORT_COLUMNS = (
    *("姓名", "性别", "出生日期", "手机", "证件类型", "证件号码", "小区", "楼栋"),
    *("单元", "房号", "户号", "与户主关系", "户籍状态", "标签"),
)
HEADERS = {
    "姓名": "name",
    "性别": "gender",
    "出生日期": "birth_date",
    "手机": "phone",
    "手机号": "phone",
    "联系电话": "phone",
    "证件类型": "id_type",
    "证件号码": "id_number",
    "身份证号": "id_number",
    "小区": "compound",
    "楼栋": "building",
    "单元": "unit",
    "房号": "room",
    "户号": "household",
    "与户主关系": "relation",
    "户籍状态": "residency",
    "标签": "tags",
}
_TAG_SPLIT = re.compile(r"[,，、;；\s]+")
MODES = ("all", "valid")


def _choice(mapping: Mapping[str, str]) -> validate.OneOf:
    return validate.OneOf([*mapping, *mapping.values()])


class ResidentRow(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=100))
    gender = fields.String(validate=_choice(GENDERS))
    birth_date = fields.Date()
    phone = Text(validate=validate.Length(min=5, max=30))
    id_type = fields.String(validate=_choice(ID_TYPES))
    id_number = Text(validate=validate.Length(min=5, max=40))
    compound = Text(validate=validate.Length(max=200))
    building = Text(validate=validate.Length(max=100))
    unit = Text(validate=validate.Length(max=50))
    room = Text(validate=validate.Length(max=20))
    household = Text(validate=validate.Length(max=50))
    relation = fields.String(validate=_choice(RELATIONS))
    residency = fields.String(validate=_choice(RESIDENCIES))
    tags = Text(validate=validate.Length(max=300))


@dataclass
class _Places:
    """Places looked up once per import, created as rows need them."""

    session: Session
    buildings: dict[tuple[str, str], Building]
    units: dict[tuple[uuid.UUID, str], Unit] = field(default_factory=dict)
    rooms: dict[tuple[uuid.UUID, uuid.UUID | None, str], Room] = field(default_factory=dict)
    households: dict[tuple[uuid.UUID | None, str], Household] = field(default_factory=dict)
    new: dict[type[Any], list[Any]] = field(
        default_factory=lambda: {Unit: [], Room: [], Household: []}
    )

    def _added(self, row: Any) -> Any:
        self.new[type(row)].append(row)
        return row

    def save(self) -> None:
        """The places the rows needed, units before their rooms before households."""
        flush_in_order(self.session, *self.new.values())

    @classmethod
    def load(cls, session: Session) -> _Places:
        query = select(Compound.name, Building).join(Compound, Compound.id == Building.compound_id)
        places = cls(session, {(c, b.name): b for c, b in session.execute(query)})
        places.units = {(u.building_id, u.name): u for u in session.scalars(select(Unit))}
        places.rooms = {
            (r.building_id, r.unit_id, r.number): r for r in session.scalars(select(Room))
        }
        places.households = {
            (h.room_id, h.number): h
            for h in session.scalars(select(Household).where(Household.number.is_not(None)))
            if h.number is not None
        }
        return places

    def room(self, row: Mapping[str, Any]) -> Room | None:
        if not row.get("room"):
            return None
        building = self.buildings.get((row.get("compound") or "", row.get("building") or ""))
        if building is None:
            raise LookupError("building")
        unit_id = None
        if row.get("unit"):
            unit = self.units.get((building.id, row["unit"]))
            if unit is None:
                unit = self.units[(building.id, row["unit"])] = self._added(
                    Unit(id=uuid.uuid4(), building_id=building.id, name=row["unit"])
                )
            unit_id = unit.id
        key = (building.id, unit_id, row["room"])
        if key not in self.rooms:
            self.rooms[key] = self._added(
                Room(id=uuid.uuid4(), building_id=building.id, unit_id=unit_id, number=row["room"])
            )
        return self.rooms[key]

    def household(self, room: Room | None, number: str | None) -> Household | None:
        if not number:
            return None
        key = (room.id if room else None, number)
        if key not in self.households:
            self.households[key] = self._added(
                Household(id=uuid.uuid4(), room_id=key[0], number=number)
            )
        return self.households[key]


def _tag_codes(text: str | None, dictionary: Mapping[str, str]) -> list[str]:
    by_name = {name: code for code, name in dictionary.items()}
    codes = []
    for word in _TAG_SPLIT.split(text or ""):
        if word:
            code = word if word in dictionary else by_name.get(word)
            if code is None or code in tags.DERIVED_CODES:
                raise LookupError("tags")
            codes.append(code)
    return codes


def _as_resident_data(row: Mapping[str, Any], purpose: str) -> dict[str, Any]:
    data: dict[str, Any] = {"name": row["name"], "purpose": purpose}
    for key, mapping in (
        ("gender", GENDERS),
        ("id_type", ID_TYPES),
        ("relation", RELATIONS),
        ("residency", RESIDENCIES),
    ):
        if row.get(key):
            data[key] = mapping.get(row[key], row[key])
    for key in ("birth_date", "phone", "id_number"):
        if row.get(key):
            data[key] = row[key]
    return data


def _error(number: int, name: str | None, code: str, message: str) -> dict[str, Any]:
    return {"row": number, "field": name, "code": code, "message": message}


def _problem_error(number: int, exc: Problem) -> dict[str, Any]:
    fields_with_errors = (exc.errors or {}).get("json", {})
    name = next(iter(fields_with_errors), None)
    message = str(fields_with_errors[name][0]) if name else str(exc.description or exc.title)
    return _error(number, name, exc.problem_code, message)


@dataclass(frozen=True)
class _Prepared:
    resident: Resident
    codes: list[str]


def _prepare(
    session: Session, places: _Places, result: ReadResult, purpose: str
) -> Iterator[tuple[_Prepared | None, dict[str, Any] | None]]:
    """Each row as a resident ready to insert, or the error that stops it."""
    dictionary = services.tag_dictionary(session)
    registered = select(Resident.id_number_digest).where(Resident.id_number_digest.is_not(None))
    seen = set(session.scalars(registered))
    for number, row in zip(result.row_numbers, result.rows, strict=True):
        try:
            room = places.room(row)
            codes = _tag_codes(row.get("tags"), dictionary)
            resident = services.prepared_resident(_as_resident_data(row, purpose))
        except LookupError as exc:
            name = str(exc.args[0])
            yield None, _error(number, name, "unknown", f"Unknown {name}")
            continue
        except Problem as exc:
            yield None, _problem_error(number, exc)
            continue
        digest = resident.id_number_digest
        if digest is not None and digest in seen:
            yield None, _error(number, "id_number", "duplicate_resident", "Registered already")
            continue
        seen.add(digest)
        household = places.household(room, row.get("household"))
        resident.room_id = room.id if room else None
        resident.household_id = household.id if household else None
        yield _Prepared(resident, codes), None


@job_kind("residents.import")
def import_residents(
    upload_id: str, extension: str, purpose: str, mode: str = "all"
) -> dict[str, Any]:
    result = read_upload(upload_id, extension, ResidentRow(), HEADERS)
    progress(20)
    errors = [_error(e.row, e.field, e.code, e.message) for e in result.errors]
    with db.database().session_scope() as session:
        prepared = []
        places = _Places.load(session)
        for ready, error in _prepare(session, places, result, purpose):
            if error is not None:
                errors.append(error)
            elif ready is not None:
                prepared.append(ready)
        errors.sort(key=lambda e: e["row"])
        if errors and (mode == "all" or not prepared):
            raise JobFailed(
                "invalid_rows",
                "Some rows are not valid; nothing was imported",
                {"errors": errors, "total": result.total},
            )
        progress(60)
        places.save()
        flush_in_order(
            session,
            [p.resident for p in prepared],
            [ResidentTag(resident_id=p.resident.id, code=c) for p in prepared for c in p.codes],
        )
    progress(95)
    return {"imported": len(prepared), "total": result.total, "errors": errors}


EXPORT_COLUMNS = (
    Column("name", "姓名"),
    Column("gender", "性别"),
    Column("age", "年龄"),
    Column("birth_date", "出生日期"),
    Column("phone", "手机"),
    Column("id_number", "证件号码"),
    Column("address", "住址"),
    Column("relation", "与户主关系"),
    Column("residency", "户籍状态"),
    Column("tags", "标签"),
    Column("purpose", "收集目的"),
)


def _export_rows(session: Session, full: bool) -> Iterator[dict[str, Any]]:
    dictionary = services.tag_dictionary(session)
    label: dict[str, str] = {
        str(value): word for word, value in {**GENDERS, **RELATIONS, **RESIDENCIES}.items()
    }
    query = (
        select(Resident).where(Resident.erased_at.is_(None)).order_by(Resident.name, Resident.id)
    )
    residents = session.scalars(query).all()
    for start in range(0, len(residents), 1000):
        batch = residents[start : start + 1000]
        cards = describe(session, batch)
        for resident in batch:
            card = cards[resident.id]
            phone, number = resident.phone_masked, resident.id_number_masked
            if full:
                shown = services.identity_of(resident)
                phone, number = shown["phone"], shown["id_number"]
            yield {
                "name": resident.name,
                "gender": label.get(resident.gender, ""),
                "age": card.age,
                "birth_date": resident.birth_date if full else None,
                "phone": phone,
                "id_number": number,
                "address": card.address,
                "relation": label.get(resident.relation or "", ""),
                "residency": label.get(resident.residency, ""),
                "tags": "、".join(dictionary.get(code, code) for code in card.tags),
                "purpose": resident.purpose,
            }


@job_kind("residents.export")
def export_residents(file_format: str = "xlsx", full: bool = False) -> dict[str, Any]:
    session = db.session()
    rows = list(_export_rows(session, full))
    if full:
        tenant = session.get(Tenant, require_tenant().id)
        assert tenant is not None
        record_access(session, tenant, "export_residents_full", {"residents": len(rows)})
        session.commit()
    data = (
        write_xlsx(EXPORT_COLUMNS, rows)
        if file_format == "xlsx"
        else write_csv(EXPORT_COLUMNS, rows)
    )
    name = f"residents.{file_format}"
    keep_result(name, data)
    return {"file": name, "bytes": len(data), "residents": len(rows), "masked": not full}


def start_import(purpose: str, mode: str) -> JobRecord:
    """The request's spreadsheet saved and its import queued (the API's and the console's)."""
    upload_id, extension = save_upload(require_tenant().id)
    return enqueue(import_residents, upload_id, extension, purpose, mode, queue="bulk")


def start_export(file_format: str, full: bool) -> JobRecord:
    """The registry's export queued; a ``full`` (unmasked) one needs residents.reveal."""
    if full:
        check(RESIDENTS_REVEAL)
    return enqueue(export_residents, file_format, full, queue="reports")
