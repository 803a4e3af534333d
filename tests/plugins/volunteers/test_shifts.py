"""Shifts: places, the waitlist, withdrawal, check-in/out, and no overbooking under
concurrent sign-ups (PostgreSQL, real threads, each with its own app context)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask

from tests.conftest import auth, problem
from tests.plugins.volunteers.conftest import Volunteers, url


def _statuses(vol: Volunteers, shift: str) -> dict[str, str]:
    signups = vol.get(f"/shifts/{shift}/signups").get_json()
    return {s["volunteer_id"]: s["status"] for s in signups}


def test_a_full_shift_puts_people_on_the_waitlist_and_a_withdrawal_moves_the_first_up(
    vol: Volunteers,
) -> None:
    shift = vol.shift(slots=2)
    people = [vol.volunteer(name) for name in ("王医生", "李护士", "陈老师", "林阿姨")]
    made = [vol.created(f"/shifts/{shift}/signups", {"volunteer_id": p}) for p in people]
    assert [s["status"] for s in made] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    view = vol.get(f"/shifts/{shift}").get_json()
    assert (view["confirmed"], view["waitlisted"]) == (2, 2)

    withdrawn = vol.client.delete(url(f"/signups/{made[0]['id']}"), headers=auth("alpha_admin"))
    assert withdrawn.get_json()["status"] == "withdrawn"
    statuses = _statuses(vol, shift)
    assert statuses[people[2]] == "confirmed"  # the first in line, not the second
    assert statuses[people[3]] == "waitlisted"
    again = vol.client.delete(url(f"/signups/{made[0]['id']}"), headers=auth("alpha_admin"))
    assert problem(again)["code"] == "already_withdrawn"

    # signing up again after withdrawing joins the end of the line
    back = vol.created(f"/shifts/{shift}/signups", {"volunteer_id": people[0]})
    assert back["status"] == "waitlisted"


def test_sign_up_rules(vol: Volunteers) -> None:
    shift = vol.shift(slots=3, skills=["急诊"])
    nurse = vol.volunteer("急诊科张医生", skills=["急诊", "护理"])
    teacher = vol.volunteer("陈老师", skills=["辅导"])
    lacking = vol.post(f"/shifts/{shift}/signups", {"volunteer_id": teacher})
    assert (lacking.status_code, problem(lacking)["code"]) == (409, "skills_missing")
    assert vol.post(f"/shifts/{shift}/signups", {"volunteer_id": nurse}).status_code == 201
    twice = vol.post(f"/shifts/{shift}/signups", {"volunteer_id": nurse})
    assert problem(twice)["code"] == "already_signed_up"
    unknown = vol.post(f"/shifts/{shift}/signups", {"volunteer_id": vol.resident("不是志愿者")})
    assert unknown.status_code == 422
    assert "volunteer_id" in problem(unknown)["errors"]["json"]


def test_bad_shifts_are_refused(vol: Volunteers) -> None:
    activity = vol.created("/activities", {"title": "巡逻", "content": "安全巡逻"})
    path = f"/activities/{activity['id']}/shifts"
    backwards = {"starts_at": "2999-01-01T05:00:00Z", "ends_at": "2999-01-01T01:00:00Z"}
    for body in (
        {**backwards, "slots": 2},
        {"starts_at": "2999-01-01T01:00:00Z", "ends_at": "2999-01-01T05:00:00Z", "slots": 0},
        {"starts_at": "2999-01-01T01:00:00", "ends_at": "2999-01-01T05:00:00", "slots": 2},
        {"starts_at": "tomorrow", "ends_at": "2999-01-01T05:00:00Z", "slots": 2},
    ):
        response = vol.post(path, body)
        assert response.status_code == 422, body
        assert problem(response)["code"] == "validation_failed"
    cancelled = vol.client.patch(
        url(f"/activities/{activity['id']}"), headers=auth("alpha_admin"), json={"cancelled": True}
    )
    assert cancelled.get_json()["cancelled"] is True
    late = vol.post(path, {**backwards, "ends_at": "2999-01-01T09:00:00Z", "slots": 2})
    assert problem(late)["code"] == "activity_cancelled"


def test_check_in_and_out_logs_pending_hours(vol: Volunteers) -> None:
    shift = vol.shift(slots=1)
    first, second = vol.volunteer("王医生"), vol.volunteer("李护士")
    confirmed = vol.created(f"/shifts/{shift}/signups", {"volunteer_id": first})
    waiting = vol.created(f"/shifts/{shift}/signups", {"volunteer_id": second})
    assert problem(vol.post(f"/signups/{waiting['id']}/check-in"))["code"] == "not_confirmed"
    assert problem(vol.post(f"/signups/{confirmed['id']}/check-out"))["code"] == "not_checked_in"
    assert vol.post(f"/signups/{confirmed['id']}/check-in").status_code == 200
    out = vol.post(f"/signups/{confirmed['id']}/check-out", {"hours": 2.5, "people_served": 12})
    assert out.status_code == 200
    assert problem(vol.post(f"/signups/{confirmed['id']}/check-out"))["code"] == (
        "already_checked_out"
    )
    withdrawal = vol.client.delete(url(f"/signups/{confirmed['id']}"), headers=auth("alpha_admin"))
    assert problem(withdrawal)["code"] == "already_checked_in"
    (entry,) = vol.get(f"/hours?volunteer_id={first}").get_json()
    assert (entry["hours"], entry["status"], entry["source"]) == (2.5, "pending", "shift")
    assert (entry["content"], entry["people_served"]) == ("义诊", 12)


def test_check_out_right_after_check_in_asks_for_the_hours(vol: Volunteers) -> None:
    shift = vol.shift(slots=1)
    signup = vol.created(f"/shifts/{shift}/signups", {"volunteer_id": vol.volunteer("王医生")})
    vol.post(f"/signups/{signup['id']}/check-in")
    quick = vol.post(f"/signups/{signup['id']}/check-out", {})
    assert quick.status_code == 422
    assert "hours" in problem(quick)["errors"]["json"]


@pytest.mark.postgres
def test_concurrent_sign_ups_never_overbook(app: Flask, vol: Volunteers) -> None:
    slots, crowd = 3, 12
    shift = vol.shift(slots=slots)
    people = [vol.volunteer(f"志愿者{i}", tail=f"{i:04d}") for i in range(crowd)]
    barrier = threading.Barrier(crowd)
    results: list[Any] = []

    def sign_up(volunteer_id: str) -> None:
        client = app.test_client()  # each request pushes its own app context and session
        barrier.wait()
        response = client.post(
            url(f"/shifts/{shift}/signups"),
            headers=auth("alpha_admin"),
            json={"volunteer_id": volunteer_id},
        )
        results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=sign_up, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [code for code, _ in results] == [201] * crowd, results
    statuses = [body["status"] for _, body in results]
    assert statuses.count("confirmed") == slots
    assert statuses.count("waitlisted") == crowd - slots
    view = vol.get(f"/shifts/{shift}").get_json()
    assert (view["confirmed"], view["waitlisted"]) == (slots, crowd - slots)
