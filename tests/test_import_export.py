"""Buildings in and out of spreadsheets as jobs: every bad row reported by its Excel row,
nothing half-imported, valid-rows mode, exports neutralising formulas."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Communities, auth
from tests.uploads import upload, xlsx

BASE = "/api/v1/t/alpha"


def _xlsx(rows: list[tuple[Any, ...]]) -> bytes:
    return xlsx(("小区", "楼栋", "层数"), rows)


def _import(client: FlaskClient, data: bytes, name: str = "楼栋.xlsx", mode: str = "all") -> Any:
    return upload(client, f"{BASE}/buildings/import?mode={mode}", data, name, "alpha_staff")


def _buildings(client: FlaskClient, slug: str = "alpha", who: str = "alpha_admin") -> int:
    compounds = client.get(
        f"/api/v1/t/{slug}/compounds?page_size=100", headers=auth(who)
    ).get_json()
    return sum(
        len(
            client.get(
                f"/api/v1/t/{slug}/compounds/{c['id']}/buildings", headers=auth(who)
            ).get_json()
        )
        for c in compounds
    )


def test_ten_thousand_rows_with_three_bad_ones_import_nothing(
    client: FlaskClient, communities: Communities
) -> None:
    rows: list[tuple[Any, ...]] = [(f"新区{i // 100}", f"{i}号楼", 6) for i in range(10_000)]
    rows[41] = ("新区0", "", 6)  # no name → Excel row 43
    rows[5000] = ("新区50", "5000号楼", "六")  # floors not a number → row 5002
    rows[9998] = ("新区99", "9998号楼", 900)  # too many floors → row 10000
    job = _import(client, _xlsx(rows)).get_json()
    assert job["status"] == "failed"
    assert job["error"]["code"] == "invalid_rows"
    reported = [(e["row"], e["field"]) for e in job["error"]["detail"]["errors"]]
    assert reported == [(43, "name"), (5002, "floors"), (10000, "floors")]
    assert job["error"]["detail"]["total"] == 10_000
    assert _buildings(client) == 4  # only the fixture's


def test_valid_mode_imports_the_good_rows_and_reimport_changes_nothing(
    client: FlaskClient, communities: Communities
) -> None:
    rows: list[tuple[Any, ...]] = [("福百社区第1小区", "3号楼", 11), ("诚丰世纪园", "1号楼", 7)]
    rows.append(("诚丰世纪园", "2号楼", -1))
    first = _import(client, _xlsx(rows), mode="valid").get_json()
    assert first["status"] == "finished", first
    assert {k: first["result"][k] for k in ("compounds", "buildings", "unchanged")} == {
        "compounds": 1,
        "buildings": 2,
        "unchanged": 0,
    }
    assert [e["row"] for e in first["result"]["errors"]] == [4]
    again = _import(client, _xlsx(rows[:2]), mode="all").get_json()
    assert again["result"]["buildings"] == 0
    assert again["result"]["unchanged"] == 2
    assert _buildings(client) == 6
    assert _buildings(client, "beta", "beta_admin") == 4


def test_csv_from_chinese_excel_imports(client: FlaskClient, communities: Communities) -> None:
    data = "小区,楼栋,层数\r\n诚丰世纪园,5号楼,7\r\n".encode("gb18030")
    job = _import(client, data, name="楼栋.csv").get_json()
    assert job["status"] == "finished", job
    assert job["result"]["buildings"] == 1


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("notes.txt", b"hello", 422),
        ("../../../etc/passwd.xlsx", b"not a workbook", 202),
        ("big.csv", b"x" * (21 * 1024 * 1024), 413),
    ],
)
def test_bad_uploads_are_refused_or_fail_cleanly(
    app: Flask, client: FlaskClient, communities: Communities, name: str, data: bytes, status: int
) -> None:
    response = _import(client, data, name=name)
    assert response.status_code == status
    if status == 202:
        assert response.get_json()["status"] == "failed"
        assert response.get_json()["error"]["code"] == "unreadable"
    uploads = app.config["LINLI"].instance_path / "uploads"
    assert all(path.parent.parent == uploads for path in uploads.rglob("*") if path.is_file())


def test_export_is_a_spreadsheet_with_formulas_neutralised(
    client: FlaskClient, communities: Communities
) -> None:
    compound = communities.alpha.compounds[0]
    made = client.post(
        f"{BASE}/compounds/{compound}/buildings",
        headers=auth("alpha_admin"),
        json={"name": '=HYPERLINK("http://evil.example","点我")'},
    )
    assert made.status_code == 201
    job = client.post(
        f"{BASE}/buildings/export?format=xlsx", headers=auth("alpha_staff")
    ).get_json()
    assert job["status"] == "finished", job
    with client.get(job["result_url"], headers=auth("alpha_staff")) as download:
        assert download.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(download.data)).active
    assert sheet is not None
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ("小区", "楼栋", "层数")
    assert len(values) == 1 + 5
    names = [row[1] for row in values[1:]]
    assert '\'=HYPERLINK("http://evil.example","点我")' in names
    assert client.get(job["result_url"], headers=auth("beta_admin")).status_code == 404


def test_csv_export_neutralises_formulas_too(client: FlaskClient, communities: Communities) -> None:
    compound = communities.alpha.compounds[0]
    for name in ("=1+1", "+86 591", "-2-3", "@SUM(A1)"):
        made = client.post(
            f"{BASE}/compounds/{compound}/buildings",
            headers=auth("alpha_admin"),
            json={"name": name},
        )
        assert made.status_code == 201, made.data[:200]
    job = client.post(f"{BASE}/buildings/export?format=csv", headers=auth("alpha_staff")).get_json()
    assert job["status"] == "finished", job
    download = client.get(job["result_url"], headers=auth("alpha_staff"))
    cells = [
        cell for row in csv.reader(io.StringIO(download.data.decode("utf-8-sig"))) for cell in row
    ]
    assert {"'=1+1", "'+86 591", "'-2-3", "'@SUM(A1)"} <= set(cells)
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]


def test_every_exporter_writes_through_the_neutralising_writer() -> None:
    """Spreadsheets are written only by linli.spreadsheets.writing (formula injection is
    neutralised there): no module of the core or a plugin writes .csv or .xlsx itself."""
    root = Path(__file__).resolve().parents[1]
    writers = re.compile(r"csv\.(writer|DictWriter)\(|\bWorkbook\(|xlsxwriter|to_csv\(|to_excel\(")
    found = [
        f"{path.relative_to(root)}:{number}"
        for folder in (root / "platform" / "linli", root / "plugins")
        for path in folder.rglob("*.py")
        if "spreadsheets" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if writers.search(line)
    ]
    assert found == []
    assert writers.search((root / "platform/linli/spreadsheets/writing.py").read_text())
