"""Volunteers and teams: residents or partner-unit members, one row per community (a
partner serving in two communities keeps two hour totals), contact cards, teams."""

from __future__ import annotations

from tests.conftest import auth, problem
from tests.plugins.volunteers.conftest import Volunteers, url


def test_a_partner_member_volunteering_in_two_communities_keeps_hours_apart(
    vol: Volunteers,
) -> None:
    member = vol.user_id("partner_shared")  # unit "shared-unit": partner of alpha and beta
    here = vol.created("/volunteers", {"user_id": member, "skills": ["法律咨询"]})
    there = vol.created("/volunteers", {"user_id": member}, slug="beta")
    assert here["id"] != there["id"]
    assert here["name"] == there["name"] == "shared-unit member"
    assert here["number"].startswith("ALPHA-")
    assert there["number"].startswith("BETA-")

    vol.post("/hours/approve", {"ids": [vol.hours(here["id"], 3), vol.hours(here["id"], 2)]})
    beta_entry = vol.hours(there["id"], 4, slug="beta")
    vol.post("/hours/approve", {"ids": [beta_entry]}, slug="beta")

    assert vol.get(f"/volunteers/{here['id']}/card").get_json()["approved_hours"] == 5
    card = vol.get(f"/volunteers/{there['id']}/card", slug="beta").get_json()
    assert card["approved_hours"] == 4
    alpha_hours = {h["id"] for h in vol.get("/hours").get_json()}
    assert beta_entry not in alpha_hours
    assert vol.get(f"/volunteers/{there['id']}").status_code == 404  # beta's row, from alpha
    by_volunteer = vol.get("/reports/hours?by=volunteer").get_json()
    assert [(r["label"], r["hours"]) for r in by_volunteer] == [("shared-unit member", 5.0)]


def test_only_people_acting_here_can_be_enlisted(vol: Volunteers) -> None:
    for person in ("partner_beta", "partner_ended", "nobody"):
        response = vol.post("/volunteers", {"user_id": vol.user_id(person)})
        assert response.status_code == 422, person
        assert "user_id" in problem(response)["errors"]["json"]
    staff = vol.post("/volunteers", {"user_id": vol.user_id("alpha_staff")})
    assert staff.status_code == 201  # a member of the community may volunteer too
    foreign = vol.resident("别社区居民", slug="beta")
    response = vol.post("/volunteers", {"resident_id": foreign})
    assert "resident_id" in problem(response)["errors"]["json"]
    for body in ({}, {"resident_id": foreign, "user_id": vol.user_id("alpha_staff")}):
        assert vol.post("/volunteers", body).status_code == 422


def test_a_person_is_enlisted_once_and_numbers_are_unique(vol: Volunteers) -> None:
    resident = vol.resident("王医生")
    first = vol.created("/volunteers", {"resident_id": resident, "number": "CP-001"})
    assert first["number"] == "CP-001"
    twice = vol.post("/volunteers", {"resident_id": resident})
    assert problem(twice)["code"] == "already_volunteer"
    taken = vol.post("/volunteers", {"resident_id": vol.resident("李护士"), "number": "CP-001"})
    assert "number" in problem(taken)["errors"]["json"]


def test_medical_team_contact_cards_and_filters(vol: Volunteers) -> None:
    team = vol.team("三盛邻聚力·健康服务小分队", "medical")
    specialities = {"口腔": "牙痛应急", "急诊": "夜间急症", "骨科": "跌倒扭伤", "中医": "推拿理疗"}
    ids = {}
    for n, (skill, note) in enumerate(specialities.items()):
        ids[skill] = vol.volunteer(
            f"{skill}医生",
            tail=f"{n:04d}",
            skills=[skill],
            service_note=note,
            team_id=team,
            is_lead=skill == "急诊",
        )
    members = vol.get(f"/teams/{team}/members").get_json()
    assert members[0] == {"volunteer_id": ids["急诊"], "name": "急诊医生", "is_lead": True}
    assert len(members) == 4
    card = vol.get(f"/volunteers/{ids['口腔']}/card").get_json()
    assert card["teams"] == ["三盛邻聚力·健康服务小分队"]
    assert (card["skills"], card["service_note"], card["phone_masked"]) == (
        ["口腔"],
        "牙痛应急",
        "138****0000",
    )
    dentists = vol.get("/volunteers?skill=口腔").get_json()
    assert [v["id"] for v in dentists] == [ids["口腔"]]
    assert vol.get("/volunteers?skill=口").get_json() == []  # whole skills only
    assert len(vol.get(f"/volunteers?team_id={team}").get_json()) == 4
    assert [v["name"] for v in vol.get("/volunteers?q=骨科").get_json()] == ["骨科医生"]

    gone = vol.client.delete(
        url(f"/teams/{team}/members/{ids['中医']}"), headers=auth("alpha_admin")
    )
    assert gone.status_code == 204
    assert len(vol.get(f"/teams/{team}/members").get_json()) == 3


def test_team_kinds_come_from_the_settings(vol: Volunteers) -> None:
    assert vol.post("/teams", {"name": "跑腿队", "kind": "errands"}).status_code == 422
    vol.client.patch(
        "/api/v1/t/alpha/modules/volunteers",
        headers=auth("alpha_admin"),
        json={"settings": {"team_kinds": ["errands", "medical"]}},
    )
    assert vol.post("/teams", {"name": "跑腿队", "kind": "errands"}).status_code == 201
    assert problem(vol.post("/teams", {"name": "跑腿队", "kind": "medical"}))["code"] == (
        "duplicate_name"
    )


def test_recruitment_approval_enlists_the_applicant_in_the_team(vol: Volunteers) -> None:
    team = vol.team("阳光助老志愿服务队", "elder_help")
    call = vol.created("/recruitments", {"team_id": team, "title": "招募助老志愿者"})
    resident = vol.resident("热心居民")
    application = vol.created(
        f"/recruitments/{call['id']}/applications", {"resident_id": resident, "skills": ["陪伴"]}
    )
    again = vol.post(f"/recruitments/{call['id']}/applications", {"resident_id": resident})
    assert problem(again)["code"] == "already_applied"
    approved = vol.post(f"/applications/{application['id']}/approve")
    assert approved.get_json()["status"] == "approved"
    assert problem(vol.post(f"/applications/{application['id']}/decline"))["code"] == (
        "already_decided"
    )
    (member,) = vol.get(f"/teams/{team}/members").get_json()
    assert member["name"] == "热心居民"
    volunteer = vol.get(f"/volunteers/{member['volunteer_id']}").get_json()
    assert (volunteer["resident_id"], volunteer["skills"]) == (resident, ["陪伴"])

    closed = vol.created(
        "/recruitments", {"team_id": team, "title": "往期招募", "open_until": "2020-01-01"}
    )
    late = vol.post(f"/recruitments/{closed['id']}/applications", {"resident_id": resident})
    assert problem(late)["code"] == "recruitment_closed"
