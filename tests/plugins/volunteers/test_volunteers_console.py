"""The volunteer teams' console pages: activities with their shifts and sign-ups,
signing up, withdrawing, checking in and out, approving and declining hours, the
volunteers with hours and stars, errors next to their fields, and every endpoint
refusing whoever must not reach it."""

from __future__ import annotations

from flask import Flask

from tests.console_support import (
    Endpoint,
    console_client,
    isolation_failures,
    post_form,
    unlisted_endpoints,
)
from tests.plugins.volunteers.conftest import Volunteers

CONSOLE = "/console/t/alpha/volunteers"


def _activity(vol: Volunteers, slots: int = 1, skills: list[str] | None = None) -> tuple[str, str]:
    """An activity (周末义诊) with one shift far ahead: (activity id, shift id)."""
    activity = vol.created(
        "/activities", {"title": "周末义诊", "content": "义诊", "place": "活动室"}
    )
    body = {
        "starts_at": "2999-06-01T01:00:00+00:00",
        "ends_at": "2999-06-01T04:00:00+00:00",
        "slots": slots,
        "skills": skills or [],
    }
    shift = vol.created(f"/activities/{activity['id']}/shifts", body)
    return activity["id"], shift["id"]


def _signups(vol: Volunteers, shift: str) -> dict[str, dict[str, object]]:
    return {s["volunteer_id"]: s for s in vol.get(f"/shifts/{shift}/signups").get_json()}


def test_every_page_shows_its_rows_and_escapes_what_people_typed(
    app: Flask, vol: Volunteers
) -> None:
    activity, shift = _activity(vol, slots=1)
    doctor = vol.volunteer("王医生", skills=["急诊"])
    hostile = vol.volunteer("<script>alert(1)</script>", tail="0002")
    for person in (doctor, hostile):
        vol.created(f"/shifts/{shift}/signups", {"volunteer_id": person})
    approved = vol.hours(doctor, 20)
    assert vol.post(f"/hours/{approved}/approve").status_code == 200
    vol.hours(doctor, 2, content="社区巡逻")
    admin = console_client(app, "alpha_admin")
    assert "周末义诊" in admin.get(CONSOLE).text
    page = admin.get(f"{CONSOLE}/activities/{activity}?lang=en").text
    assert "王医生" in page
    assert "1 of 1 places taken, 1 waiting" in page
    assert "On the waitlist" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    listed = admin.get(f"{CONSOLE}/volunteers?q=王医生").text
    assert "王医生" in listed
    assert "<td>20</td>" in listed
    assert "&lt;script&gt;" not in listed
    record = admin.get(f"{CONSOLE}/volunteers/{doctor}").text
    assert "助老陪伴" in record
    assert "急诊" in record
    pending = admin.get(f"{CONSOLE}/hours").text
    assert "社区巡逻" in pending
    assert "助老陪伴" not in pending  # approved already


def test_sign_up_withdraw_check_in_and_out_then_approve(app: Flask, vol: Volunteers) -> None:
    activity, shift = _activity(vol, slots=1)
    first, second = vol.volunteer("王医生"), vol.volunteer("李护士", tail="0002")
    coordinator = console_client(app, "alpha_admin")
    for person in (first, second):
        signed = post_form(
            coordinator, f"{CONSOLE}/shifts/{shift}/signups", {"volunteer_id": person}
        )
        assert signed.headers["Location"].endswith(f"/activities/{activity}")
    listed = _signups(vol, shift)
    assert (listed[first]["status"], listed[second]["status"]) == ("confirmed", "waitlisted")
    withdrawn = post_form(coordinator, f"{CONSOLE}/signups/{listed[first]['id']}/withdraw")
    assert withdrawn.status_code == 302
    listed = _signups(vol, shift)
    assert (listed[first]["status"], listed[second]["status"]) == ("withdrawn", "confirmed")
    signup = listed[second]["id"]
    assert post_form(coordinator, f"{CONSOLE}/signups/{signup}/check-in").status_code == 302
    assert _signups(vol, shift)[second]["checked_in_at"]
    out = post_form(
        coordinator,
        f"{CONSOLE}/signups/{signup}/check-out",
        {"hours": "2.5", "people_served": "12"},
    )
    assert out.status_code == 302
    entries = vol.get(f"/hours?volunteer_id={second}").get_json()
    assert [(e["hours"], e["people_served"], e["status"]) for e in entries] == [
        (2.5, 12, "pending")
    ]
    assert post_form(coordinator, f"{CONSOLE}/hours/{entries[0]['id']}/approve").status_code == 302
    assert vol.get(f"/hours/{entries[0]['id']}").get_json()["status"] == "approved"
    other = vol.hours(first, 1)
    declined = post_form(coordinator, f"{CONSOLE}/hours/{other}/decline", {"reason": "重复登记"})
    assert declined.status_code == 302
    decided = vol.get(f"/hours/{other}").get_json()
    assert (decided["status"], decided["decline_reason"]) == ("declined", "重复登记")


def test_errors_are_shown_next_to_their_fields(app: Flask, vol: Volunteers) -> None:
    _activity_id, shift = _activity(vol, slots=2, skills=["急诊"])
    teacher = vol.volunteer("陈老师", skills=["辅导"])
    nurse = vol.volunteer("张护士", tail="0002", skills=["急诊"])
    coordinator = console_client(app, "alpha_admin")
    nobody = post_form(coordinator, f"{CONSOLE}/shifts/{shift}/signups", {})
    assert nobody.status_code == 422
    assert f'class="field-error" id="volunteer-{shift}-error"' in nobody.text
    lacking = post_form(coordinator, f"{CONSOLE}/shifts/{shift}/signups", {"volunteer_id": teacher})
    assert lacking.status_code == 422
    assert "急诊" in lacking.text.split(f'id="volunteer-{shift}-error"')[1].split("</small>")[0]
    assert _signups(vol, shift) == {}
    signup = vol.created(f"/shifts/{shift}/signups", {"volunteer_id": nurse})["id"]
    assert vol.post(f"/signups/{signup}/check-in").status_code == 200
    wrong = post_form(coordinator, f"{CONSOLE}/signups/{signup}/check-out", {"hours": "lots"})
    assert wrong.status_code == 422
    assert f'aria-describedby="hours-{signup}-error"' in wrong.text
    assert f'class="field-error" id="hours-{signup}-error"' in wrong.text
    assert _signups(vol, shift)[nurse]["checked_out_at"] is None


def test_every_endpoint_refuses_whoever_must_not_reach_it(app: Flask, vol: Volunteers) -> None:
    activity, shift = _activity(vol, slots=1)
    person = vol.volunteer("王医生")
    signup = vol.created(f"/shifts/{shift}/signups", {"volunteer_id": person})["id"]
    entry = vol.hours(person, 2)
    endpoints = [
        Endpoint("GET", "", "alpha_staff"),
        Endpoint("GET", f"activities/{activity}", "alpha_staff", row=True),
        Endpoint("POST", f"shifts/{shift}/signups", "alpha_staff", row=True),
        Endpoint("POST", f"signups/{signup}/withdraw", "alpha_staff", row=True),
        Endpoint("POST", f"signups/{signup}/check-in", "alpha_staff", row=True),
        Endpoint("POST", f"signups/{signup}/check-out", "alpha_staff", row=True),
        Endpoint("GET", "volunteers", "alpha_staff"),
        Endpoint("GET", f"volunteers/{person}", "alpha_staff", row=True),
        Endpoint("GET", "hours", "alpha_staff"),
        Endpoint("POST", f"hours/{entry}/approve", "alpha_staff", row=True),
        Endpoint("POST", f"hours/{entry}/decline", "alpha_staff", row=True),
    ]
    assert unlisted_endpoints(app, "volunteers_console", "volunteers", endpoints) == set()
    assert isolation_failures(app, "volunteers", endpoints) == []
    assert _signups(vol, shift)[person]["status"] == "confirmed"
    assert vol.get(f"/hours/{entry}").get_json()["status"] == "pending"


def test_a_viewer_reads_but_does_not_act(app: Flask, vol: Volunteers) -> None:
    _activity_id, shift = _activity(vol)
    person = vol.volunteer("王医生")
    vol.grant("nobody", "alpha", ["volunteers.viewer"])
    viewer = console_client(app, "nobody")
    assert viewer.get(CONSOLE).status_code == 200
    assert viewer.get(f"{CONSOLE}/hours").status_code == 403
    signing = post_form(viewer, f"{CONSOLE}/shifts/{shift}/signups", {"volunteer_id": person})
    assert signing.status_code == 403
    assert _signups(vol, shift) == {}
