"""Hours: pending → approved | declined (never deleted), bulk approval, bad input, and the
hooks other modules use (volunteers_available, volunteer_service_done)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask

from linli.plugins.services import enabled_hooks
from tests.conftest import auth, problem
from tests.plugins.volunteers.conftest import Volunteers, as_module, url


def _card_hours(vol: Volunteers, volunteer: str) -> float:
    hours: float = vol.get(f"/volunteers/{volunteer}/card").get_json()["approved_hours"]
    return hours


def test_hour_approval_flow(vol: Volunteers) -> None:
    volunteer = vol.volunteer("王医生")
    first, second, third = (vol.hours(volunteer, h) for h in (2, 3.5, 4))
    assert _card_hours(vol, volunteer) == 0  # nothing counts before approval

    approved = vol.post(f"/hours/{first}/approve")
    assert approved.get_json()["status"] == "approved"
    assert approved.get_json()["decided_by"].startswith("user:")
    declined = vol.post(f"/hours/{second}/decline", {"reason": "含往返路程时间"})
    assert (declined.get_json()["status"], declined.get_json()["decline_reason"]) == (
        "declined",
        "含往返路程时间",
    )
    for again in (f"/hours/{first}/decline", f"/hours/{second}/approve"):
        response = vol.post(again, {"reason": "再次审核"})
        assert (response.status_code, problem(response)["code"]) == (409, "already_decided")
    assert _card_hours(vol, volunteer) == 2

    statuses = {h["id"]: h["status"] for h in vol.get("/hours").get_json()}
    assert statuses == {first: "approved", second: "declined", third: "pending"}  # none deleted
    assert [h["id"] for h in vol.get("/hours?status=pending").get_json()] == [third]
    assert (
        vol.client.delete(url(f"/hours/{second}"), headers=auth("alpha_admin")).status_code == 405
    )


def test_bulk_approval_approves_the_pending_and_leaves_the_rest(vol: Volunteers) -> None:
    volunteer = vol.volunteer("李护士")
    entries = [vol.hours(volunteer, 1.5) for _ in range(4)]
    vol.post(f"/hours/{entries[0]}/decline", {"reason": "未到岗"})
    response = vol.post("/hours/approve", {"ids": entries})
    assert response.get_json() == {"approved": 3}
    assert _card_hours(vol, volunteer) == 4.5
    declined = vol.get(f"/hours/{entries[0]}").get_json()
    assert declined["status"] == "declined"


def test_bulk_approval_with_a_foreign_id_approves_nothing(vol: Volunteers) -> None:
    ours = vol.hours(vol.volunteer("李护士"), 2)
    theirs = vol.hours(vol.volunteer("张医生", slug="beta"), 2, slug="beta")
    response = vol.post("/hours/approve", {"ids": [ours, theirs]})
    assert response.status_code == 422
    assert "ids" in problem(response)["errors"]["json"]
    assert vol.get(f"/hours/{ours}").get_json()["status"] == "pending"


def test_a_team_lead_decides_only_their_own_teams_hours(vol: Volunteers) -> None:
    medical, safety = vol.team("健康服务小分队", "medical"), vol.team("安全护卫队", "safety")
    vol.grant("nobody", "alpha", ["volunteers.team_lead"])
    lead = vol.created("/volunteers", {"user_id": vol.user_id("nobody")})
    vol.post(f"/teams/{medical}/members", {"volunteer_id": lead["id"], "is_lead": True})
    doctor = vol.volunteer("王医生")
    ours = vol.hours(doctor, 2, team_id=medical)
    theirs = vol.hours(doctor, 2, team_id=safety)
    unteamed = vol.hours(doctor, 2)
    for entry in (theirs, unteamed):
        refused = vol.post(f"/hours/{entry}/approve", who="nobody")
        assert problem(refused)["code"] == "not_your_team"
    mixed = vol.post("/hours/approve", {"ids": [ours, theirs]}, who="nobody")
    assert mixed.status_code == 403
    assert vol.get(f"/hours/{ours}").get_json()["status"] == "pending"
    assert vol.post("/hours/approve", {"ids": [ours]}, who="nobody").get_json() == {"approved": 1}
    declined = vol.post(f"/hours/{theirs}/decline", {"reason": "不是本队"})  # the admin may
    assert declined.get_json()["status"] == "declined"


def test_bad_hour_entries_are_4xx_problems(vol: Volunteers) -> None:
    volunteer = vol.volunteer("陈老师")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    base = {"volunteer_id": volunteer, "served_on": "2025-05-01", "hours": 2, "content": "助老"}
    cases = [
        ({**base, "hours": 0}, "hours"),
        ({**base, "hours": 24.5}, "hours"),
        ({**base, "hours": "NaN"}, "hours"),
        ({**base, "hours": "两小时"}, "hours"),
        ({**base, "served_on": tomorrow}, "served_on"),
        ({**base, "volunteer_id": vol.resident("不是志愿者")}, "volunteer_id"),
        ({**base, "team_id": "4b1c8f9e-0000-4000-8000-000000000000"}, "team_id"),
        ({**base, "content": ""}, "content"),
        ({**base, "content": "助老\u202e"}, "content"),
    ]
    for body, field in cases:
        response = vol.post("/hours", body)
        assert response.status_code == 422, body
        assert field in problem(response)["errors"]["json"], body
    assert vol.post("/hours/approve", {"ids": []}).status_code == 422
    assert vol.post("/hours/approve", {"ids": ["x"]}).status_code == 422


def test_other_modules_request_volunteers_and_report_service(app: Flask, vol: Volunteers) -> None:
    driver = vol.volunteer("送餐志愿者", skills=["送餐"], service_note="午餐送餐入户")
    vol.volunteer("义诊志愿者", skills=["中医"])
    retired = vol.volunteer("已退出志愿者", skills=["送餐"])
    vol.client.patch(
        url(f"/volunteers/{retired}"), headers=auth("alpha_admin"), json={"active": False}
    )
    busy = vol.volunteer("已排班志愿者", skills=["送餐"])
    vol.created(f"/shifts/{vol.shift(slots=2)}/signups", {"volunteer_id": busy})

    with as_module(app, vol.communities.alpha) as tenant:
        (offered,) = enabled_hooks().volunteers_available(
            tenant=tenant, skill="送餐", on=date(2999, 6, 1)
        )
        assert [v["name"] for v in offered] == ["送餐志愿者"]
        assert offered[0]["phone_masked"] == "138****0001"
        everyone = enabled_hooks().volunteers_available(tenant=tenant, skill=None, on=date.today())
        assert {v["name"] for v in everyone[0]} == {"送餐志愿者", "义诊志愿者", "已排班志愿者"}
        enabled_hooks().volunteer_service_done(
            tenant=tenant,
            volunteer_id=offered[0]["id"],
            on=date(2025, 6, 2),
            hours=1.5,
            activity="长者食堂送餐入户",
            source="canteens",
        )
    (entry,) = vol.get(f"/hours?volunteer_id={driver}").get_json()
    assert (entry["source"], entry["status"], entry["hours"]) == ("canteens", "pending", 1.5)
