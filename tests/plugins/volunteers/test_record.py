"""The volunteer record in the five blocks of the national rule."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask

from linli.plugins.services import current_settings
from plugins.volunteers import stars
from tests.conftest import auth, problem
from tests.plugins.volunteers.conftest import Volunteers, in_community


def test_the_record_has_its_five_blocks(app: Flask, vol: Volunteers) -> None:
    volunteer = vol.volunteer("陈志愿", skills=["助老"])
    entries = [vol.hours(volunteer, 24, people_served=3) for _ in range(5)]
    vol.hours(volunteer, 2)  # pending: not in the record
    vol.post("/hours/approve", {"ids": entries})
    training = {
        "title": "急救知识培训",
        "held_on": "2025-03-01",
        "hours": 3,
        "organiser": "红十字会",
    }
    assert vol.post(f"/volunteers/{volunteer}/trainings", training).status_code == 201
    evaluation = {"year": 2025, "rating": "excellent", "comment": "服务热情"}
    assert vol.post(f"/volunteers/{volunteer}/evaluations", evaluation).status_code == 201
    twice = vol.post(f"/volunteers/{volunteer}/evaluations", evaluation)
    assert problem(twice)["code"] == "already_evaluated"
    bad = vol.post(f"/volunteers/{volunteer}/evaluations", {"year": 2025, "rating": "A+"})
    assert "rating" in problem(bad)["errors"]["json"]
    vol.post("/stars/recalculate")
    with in_community(app, vol.communities.alpha) as session:
        later = date.today() + timedelta(days=8)
        stars.recalculate(session, current_settings("volunteers"), later)

    record = vol.get(f"/volunteers/{volunteer}/record").get_json()
    assert set(record) == {"basic", "service", "training", "honours", "evaluations"}
    assert (record["basic"]["name"], record["basic"]["skills"]) == ("陈志愿", ["助老"])
    assert record["basic"]["joined_on"] == date.today().isoformat()
    service = record["service"]
    assert (service["hours"], service["entries"], service["people_served"]) == (120.0, 5, 15)
    assert len(service["recent"]) == 5
    assert [t["title"] for t in record["training"]] == ["急救知识培训"]
    assert [(h["stars"], h["hours"]) for h in record["honours"]] == [(1, 120.0)]
    assert [(e["year"], e["rating"]) for e in record["evaluations"]] == [(2025, "excellent")]
    assert record["basic"]["approved_hours"] == 120.0  # training hours are not service


def test_a_persons_data_and_erasure_reach_their_volunteer_record(vol: Volunteers) -> None:
    resident = vol.resident("待注销的志愿者")
    volunteer = vol.created(
        "/volunteers", {"resident_id": resident, "service_note": "家住3号楼，晚上可联系"}
    )
    vol.hours(volunteer["id"], 3)
    residents = f"/api/v1/t/alpha/residents/{resident}"
    personal = vol.client.post(f"{residents}/personal-data", headers=auth("alpha_admin"))
    mine = personal.get_json()["modules"]["volunteers"]
    assert mine["volunteer"][0]["name"] == "待注销的志愿者"
    assert len(mine["hours"]) == 1
    assert vol.client.post(f"{residents}/erase", headers=auth("alpha_admin")).status_code == 200
    after = vol.get(f"/volunteers/{volunteer['id']}").get_json()
    assert (after["name"], after["service_note"]) == ("（已注销）", None)
    assert len(vol.get(f"/hours?volunteer_id={volunteer['id']}").get_json()) == 1  # still counted
