"""Volunteers from a spreadsheet through the jobs layer (bad rows reported by row number),
and the demo data at 福惠社区's scale."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import Flask
from openpyxl import Workbook
from sqlalchemy import func, select

from linli.residents.people import Resident
from linli.tenancy.models import Tenant
from plugins.volunteers import demo
from plugins.volunteers.models import HourRecord, Team, TeamMember, Volunteer
from tests.conftest import auth, problem
from tests.plugins.volunteers.conftest import Volunteers, in_community, url

HEADER = ("姓名", "手机尾号", "服务队", "技能", "服务内容")


def _xlsx(*rows: tuple[Any, ...]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (HEADER, *rows):
        sheet.append(list(row))
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def _upload(vol: Volunteers, data: io.BytesIO, mode: str = "all") -> dict[str, Any]:
    response = vol.client.post(
        url(f"/volunteers/import?mode={mode}"),
        headers=auth("alpha_admin"),
        data={"file": (data, "志愿者名单.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()
    job: dict[str, Any] = response.get_json()
    return job


def _prepare(vol: Volunteers) -> None:
    vol.team("健康服务小分队", "medical")
    vol.resident("王医生", tail="1111")
    vol.resident("王医生", tail="2222")  # same name: the phone tail decides
    vol.resident("李护士", tail="3333")


BAD_AND_GOOD = (
    ("王医生", "2222", "健康服务小分队", "急诊、儿科", "夜间急症"),  # row 2: good
    ("王医生", None, None, None, None),  # row 3: ambiguous name
    ("不存在的人", None, None, None, None),  # row 4: not in the registry
    ("李护士", "3333", "没有这个队", None, None),  # row 5: unknown team
    ("", "3333", None, None, None),  # row 6: no name (blank cell = missing)
    ("李护士", "12", None, None, None),  # row 7: tail not 4 digits
)


def test_import_all_mode_reports_every_bad_row_and_imports_nothing(vol: Volunteers) -> None:
    _prepare(vol)
    job = _upload(vol, _xlsx(*BAD_AND_GOOD))
    assert job["status"] == "failed"
    assert job["error"]["code"] == "invalid_rows"
    rows = sorted((e["row"], e["field"]) for e in job["error"]["detail"]["errors"])
    assert rows == [(3, "name"), (4, "name"), (5, "team"), (6, "name"), (7, "phone_tail")]
    assert vol.get("/volunteers").get_json() == []


def test_import_valid_mode_imports_the_good_rows(vol: Volunteers) -> None:
    _prepare(vol)
    job = _upload(vol, _xlsx(*BAD_AND_GOOD), mode="valid")
    assert job["status"] == "finished", job
    assert job["result"]["imported"] == 1
    assert len(job["result"]["errors"]) == 5
    (imported,) = vol.get("/volunteers").get_json()
    assert (imported["name"], imported["skills"], imported["service_note"]) == (
        "王医生",
        ["急诊", "儿科"],
        "夜间急症",
    )
    card = vol.get(f"/volunteers/{imported['id']}/card").get_json()
    assert (card["phone_masked"], card["teams"]) == ("138****2222", ["健康服务小分队"])
    again = _upload(vol, _xlsx(BAD_AND_GOOD[0]))
    assert again["error"]["detail"]["errors"][0]["message"].startswith("This resident is")


def test_import_needs_a_spreadsheet(vol: Volunteers) -> None:
    response = vol.client.post(
        url("/volunteers/import"),
        headers=auth("alpha_admin"),
        data={"file": (io.BytesIO(b"MZ\x90\x00"), "virus.exe")},
        content_type="multipart/form-data",
    )
    assert "file" in problem(response)["errors"]["files"]
    broken = _upload(vol, io.BytesIO(b"not a zip at all"))
    assert broken["status"] == "failed"


def _residents(app: Flask, vol: Volunteers, count: int) -> None:
    with in_community(app, vol.communities.alpha) as session:
        session.add_all(
            Resident(
                name=f"居民{i:04d}",
                gender="male" if i % 2 else "female",
                birth_date=date(1950 + i % 50, 1 + i % 12, 1),
                purpose="demo",
            )
            for i in range(count)
        )


def test_demo_at_fuhui_scale_is_idempotent(app: Flask, vol: Volunteers) -> None:
    """福惠社区: 826 volunteers in five teams, ≈15,800 people served over three years."""
    _residents(app, vol, 900)
    with in_community(app, vol.communities.alpha) as session:
        tenant = session.get(Tenant, vol.communities.alpha.ref.id)
        assert tenant is not None
        demo.DEMOS[tenant.slug] = demo.FUHUI  # alpha seeded as 福惠社区 is
        try:
            demo.seed(session, tenant)
            demo.seed(session, tenant)
        finally:
            del demo.DEMOS[tenant.slug]
        count = session.scalar(select(func.count()).select_from(Volunteer))
        teams = session.scalar(select(func.count()).select_from(Team))
        members = session.scalar(select(func.count()).select_from(TeamMember))
        served = session.scalar(select(func.sum(HourRecord.people_served)))
        entries = session.scalar(select(func.count()).select_from(HourRecord))
        lead_stars = session.scalar(select(func.max(Volunteer.stars)))
    assert (count, teams, members) == (826, 5, 826)
    assert served == 15_800
    assert 1_000 < (entries or 0) < 20_000  # aggregated per volunteer and month
    assert (lead_stars or 0) >= 1  # the regulars of three years have earned stars
    assert vol.get("/stars/notices").status_code == 200
