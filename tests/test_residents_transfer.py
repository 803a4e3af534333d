"""Residents in and out of spreadsheets: every bad row reported by its Excel row number,
nothing half-imported, places and households made as needed, masked exports."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from linli import db
from linli.audit.models import AuditEvent
from tests.conftest import Communities, auth
from tests.test_residents import id_number
from tests.uploads import upload, xlsx

BASE = "/api/v1/t/alpha/residents"
HEADER = (
    "姓名",
    "性别",
    "出生日期",
    "手机",
    "证件号码",
    "小区",
    "楼栋",
    "单元",
    "房号",
    "户号",
    "与户主关系",
    "户籍状态",
    "标签",
)


def _xlsx(rows: list[tuple[Any, ...]]) -> bytes:
    return xlsx(HEADER, rows)


def _import(client: FlaskClient, data: bytes, mode: str = "all", who: str = "alpha_staff") -> Any:
    url = f"{BASE}/import?mode={mode}&purpose=社区服务与管理"
    return upload(client, url, data, "居民.xlsx", who)


def _row(i: int, building: str = "1号楼") -> tuple[Any, ...]:
    born = date(1930 + i % 70, 1 + i % 12, 1 + i % 28)
    return (
        f"居民{i}",
        None,
        None,
        f"139{i:08d}",
        id_number(born, f"{i % 1000:03d}", f"35{i % 9000 + 1000:04d}"),
        "福百社区第1小区",
        building,
        "1单元",
        f"{i // 3 % 30 + 1}0{i // 3 % 4 + 1}",
        f"户{i // 3}",
        "户主" if i % 3 == 0 else "配偶",
        "常住",
        "党员" if i % 7 == 0 else None,
    )


def test_twenty_thousand_rows_with_bad_ones_report_each_and_import_nothing(
    client: FlaskClient, communities: Communities
) -> None:
    rows = [_row(i) for i in range(20_000)]
    broken = list(rows[10])
    broken[4] = broken[4][:-1] + ("0" if broken[4][-1] != "0" else "1")  # wrong check digit
    rows[10] = tuple(broken)  # → Excel row 12
    rows[7_000] = _row(7_000, building="99号楼")  # no such building → row 7002
    rows[12_345] = (*rows[12_345][:12], "神仙")  # unknown tag → row 12347
    rows[19_999] = (*rows[19_999][:4], rows[5][4], *rows[19_999][5:])  # ID of row 7 → 20001
    job = _import(client, _xlsx(rows)).get_json()
    assert job["status"] == "failed", job
    assert job["error"]["code"] == "invalid_rows"
    reported = [(e["row"], e["field"]) for e in job["error"]["detail"]["errors"]]
    assert reported == [
        (12, "id_number"),
        (7002, "building"),
        (12347, "tags"),
        (20001, "id_number"),
    ]
    assert job["error"]["detail"]["total"] == 20_000
    assert client.get(BASE, headers=auth("alpha_staff")).get_json() == []


def test_valid_rows_import_with_rooms_households_and_tags(
    client: FlaskClient, communities: Communities
) -> None:
    rows = [_row(i) for i in range(6)]
    rows.append(("", "男", None, None, None, None, None, None, None, None, None, None, None))
    job = _import(client, _xlsx(rows), mode="valid").get_json()
    assert job["status"] == "finished", job
    assert job["result"]["imported"] == 6
    assert [(e["row"], e["field"]) for e in job["result"]["errors"]] == [(8, "name")]
    listed = client.get(f"{BASE}?q=居民0", headers=auth("alpha_staff")).get_json()
    assert listed[0]["address"] == "福百社区第1小区 1号楼 1单元 101"
    assert listed[0]["tags"][0] == "party_member"
    assert listed[0]["phone"] == "139****0000"
    household = client.get(
        f"/api/v1/t/alpha/households/{listed[0]['household_id']}", headers=auth("alpha_staff")
    ).get_json()
    assert [(m["name"], m["relation"]) for m in household["members"]] == [
        ("居民0", "head"),
        ("居民1", "spouse"),
        ("居民2", "spouse"),
    ]
    again = _import(client, _xlsx(rows[:6]), mode="valid").get_json()
    assert again["status"] == "failed"  # every ID is registered already
    codes = {e["code"] for e in again["error"]["detail"]["errors"]}
    assert codes == {"duplicate_resident"}


def _download(client: FlaskClient, job: dict[str, Any], who: str) -> list[tuple[Any, ...]]:
    with client.get(job["result_url"], headers=auth(who)) as download:
        assert download.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(download.data)).active
    assert sheet is not None
    return [row for row in sheet.iter_rows(values_only=True)]


def test_exports_are_masked_unless_full_and_full_is_audited(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    _import(client, _xlsx([_row(1)]))
    number = _row(1)[4]
    masked = client.post(f"{BASE}/export", headers=auth("alpha_admin")).get_json()
    rows = _download(client, masked, "alpha_admin")
    assert rows[0][:6] == ("姓名", "性别", "年龄", "出生日期", "手机", "证件号码")
    assert rows[1][4] == "139****0001"
    assert number not in str(rows)
    assert client.post(f"{BASE}/export", headers=auth("alpha_staff")).status_code == 403
    full = client.post(f"{BASE}/export?full=true", headers=auth("alpha_admin")).get_json()
    assert _download(client, full, "alpha_admin")[1][4:6] == ("13900000001", number)
    with app.app_context():
        actions = (
            db.session()
            .scalars(
                select(AuditEvent.details).where(
                    AuditEvent.action == "tenants.export_residents_full"
                )
            )
            .all()
        )
    assert actions == [{"residents": 1}]
