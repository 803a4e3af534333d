"""志愿服务记录证明: every field the rule requires, read back from the PDF, and unique
numbers; exports of verified hours; reports and the bureau's figures."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook
from pypdf import PdfReader

from linli.plugins.services import enabled_hooks
from tests.conftest import auth, problem
from tests.plugins.volunteers.conftest import Volunteers, as_module, url

SETTINGS = {"certificate_principal": "林书记", "certificate_contact": "0591-87654321"}


def _configured(vol: Volunteers) -> None:
    response = vol.client.patch(
        "/api/v1/t/alpha/modules/volunteers",
        headers=auth("alpha_admin"),
        json={"settings": SETTINGS},
    )
    assert response.status_code == 200


def _served(vol: Volunteers, name: str, id_type: str = "resident_card") -> str:
    resident = vol.resident(name, id_type=id_type, id_number_masked="350181********2345")
    volunteer = str(vol.created("/volunteers", {"resident_id": resident})["id"])
    entries = [
        vol.hours(volunteer, 3, content="助老陪伴"),
        vol.hours(volunteer, 2.5, content="送餐入户", served_on="2025-06-02"),
        vol.hours(volunteer, 4, content="未审核的服务"),
    ]
    vol.post("/hours/approve", {"ids": entries[:2]})
    return volunteer


def test_certificate_pdf_holds_every_required_field(vol: Volunteers) -> None:
    _configured(vol)
    volunteer = _served(vol, "陈志愿")
    number = vol.get(f"/volunteers/{volunteer}").get_json()["number"]
    issued = vol.created("/certificates", {"volunteer_id": volunteer})
    assert issued["hours"] == 5.5  # approved hours only
    assert (issued["principal"], issued["contact"], issued["handler"]) == (
        "林书记",
        "0591-87654321",
        "林书记",  # alpha_admin's display name: the person issuing
    )
    pdf = vol.client.get(url(f"/certificates/{issued['id']}/pdf"), headers=auth("alpha_admin"))
    assert pdf.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    for expected in (
        "志愿服务记录证明",
        f"证明编号：{issued['number']}",
        "姓名：陈志愿",
        "证件类型：居民身份证",
        "证件号码：350181********2345",
        f"志愿者编号：{number}",
        "志愿服务时长：5.5 小时",
        "服务内容：助老陪伴、送餐入户",
        "出具单位：福百社区",
        "负责人：林书记",
        "经办人：林书记",
        "联系方式：0591-87654321",
        "出具日期：",
    ):
        assert expected in text, expected
    assert "未审核的服务" not in text


def test_certificate_numbers_are_unique_and_periods_bound_the_hours(vol: Volunteers) -> None:
    _configured(vol)
    volunteer = _served(vol, "林志愿")
    first = vol.created("/certificates", {"volunteer_id": volunteer})
    second = vol.created(
        "/certificates",
        {"volunteer_id": volunteer, "period_from": "2025-06-01", "period_to": "2025-06-30"},
    )
    assert first["number"] != second["number"]
    assert first["number"].startswith("ALPHA-ZM")
    assert second["hours"] == 2.5
    listed = [c["number"] for c in vol.get("/certificates").get_json()]
    assert sorted(listed) == sorted([first["number"], second["number"]])


def test_certificates_refuse_what_cannot_be_certified(vol: Volunteers) -> None:
    volunteer = _served(vol, "未配置")
    unconfigured = vol.post("/certificates", {"volunteer_id": volunteer})
    assert "principal" in problem(unconfigured)["errors"]["json"]
    _configured(vol)
    nothing = vol.post("/certificates", {"volunteer_id": vol.volunteer("没有时长")})
    assert problem(nothing)["code"] == "no_verified_hours"
    backwards = vol.post(
        "/certificates",
        {"volunteer_id": volunteer, "period_from": "2025-06-30", "period_to": "2025-06-01"},
    )
    assert "period_to" in problem(backwards)["errors"]["json"]


def test_export_for_the_national_system_lists_verified_hours(vol: Volunteers) -> None:
    _served(vol, "陈志愿")
    job = vol.post("/volunteers/export").get_json()
    assert job["status"] == "finished", job
    data = vol.client.get(job["result_url"], headers=auth("alpha_admin")).data
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("姓名", "证件类型", "证件号码", "志愿者编号")
    assert sorted(r[4] for r in rows[1:]) == ["助老陪伴", "送餐入户"]
    assert {r[2] for r in rows[1:]} == {"350181********2345"}


def test_reports_and_bureau_statistics(vol: Volunteers) -> None:
    team = vol.team("巾帼志愿服务队", "women")
    volunteer = vol.volunteer("巾帼志愿者", team_id=team)
    ids = [
        vol.hours(volunteer, 3, team_id=team, people_served=20, served_on="2025-04-03"),
        vol.hours(volunteer, 2, team_id=team, people_served=5, served_on="2025-05-09"),
        vol.hours(volunteer, 1, served_on="2025-05-10"),
    ]
    vol.post("/hours/approve", {"ids": ids})
    by_team = vol.get("/reports/hours?by=team").get_json()
    assert [(r["label"], r["hours"], r["records"], r["people_served"]) for r in by_team] == [
        ("巾帼志愿服务队", 5.0, 2, 25),
        ("—", 1.0, 1, 0),
    ]
    by_month = vol.get("/reports/hours?by=month&from=2025-05-01").get_json()
    assert [(r["key"], r["hours"]) for r in by_month] == [("2025-05", 3.0)]
    assert vol.get("/reports/hours?by=year").status_code == 422
    with as_module(vol.app, vol.communities.alpha) as tenant:
        (figures,) = enabled_hooks().bureau_statistics(tenant=tenant)
        (archive,) = enabled_hooks().export_tenant_data(tenant=tenant)
    assert figures["volunteers"] == {
        "volunteers": 1,
        "teams": 1,
        "verified_hours": 6.0,
        "person_times": 3,
        "people_served": 25,
    }
    assert len(archive["volunteers"]["hours"]) == 3
    assert archive["volunteers"]["volunteers"][0]["name"] == "巾帼志愿者"
    json.dumps(archive)  # JSON-ready, as the tenant archive needs
