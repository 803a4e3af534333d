"""The three lists and joint projects: one unit member working in two communities with
one login, unit narrowing, the project lifecycle, quantities, and the partnership ending."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient

from tests.conftest import auth, problem
from tests.plugins.partners.conftest import ADMINS, Call, World, url


def resource(call: Call, slug: str, unit: str, **extra: Any) -> dict[str, Any]:
    body = {
        "unit": unit,
        "kind": "experts",
        "title": f"{unit} 法律顾问",
        "categories": ["法律咨询"],
    }
    response = call(ADMINS[slug], "post", slug, "resources", json=body | extra)
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def need(call: Call, slug: str, **extra: Any) -> dict[str, Any]:
    body = {"title": "居民普法宣传", "category": "法律咨询", "urgency": "high"}
    response = call(ADMINS[slug], "post", slug, "needs", json=body | extra)
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def project(call: Call, slug: str, unit: str, quantity: int | None = None) -> dict[str, Any]:
    offered = resource(call, slug, unit, **({"quantity": 10} if quantity else {}))
    wanted = need(call, slug)
    body = {
        "title": f"{unit} 普法进社区",
        "need_id": wanted["id"],
        "resources": [{"resource_id": offered["id"], "quantity": quantity}],
    }
    response = call(ADMINS[slug], "post", slug, "projects", json=body)
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def move(call: Call, who: str, slug: str, project_id: str, status: str, **extra: Any) -> Any:
    return call(who, "post", slug, f"projects/{project_id}/status", json={"status": status} | extra)


def test_one_login_lists_and_updates_projects_in_both_communities(
    world: World, call: Call, client: FlaskClient
) -> None:
    mine = {slug: project(call, slug, "shared-unit") for slug in ("alpha", "beta")}
    project(call, "beta", "beta-unit")  # another unit's project in beta
    for slug in ("alpha", "beta"):
        listed = call("partner_shared", "get", slug, "projects").get_json()
        assert [p["id"] for p in listed] == [mine[slug]["id"]]
        assert listed[0]["units"] == [{"slug": "shared-unit", "name": "shared-unit 共建单位"}]
        assert move(call, ADMINS[slug], slug, mine[slug]["id"], "agreed").status_code == 200
        started = move(call, "partner_shared", slug, mine[slug]["id"], "in_progress")
        assert started.get_json()["status"] == "in_progress"
        photos = {"photos": ["https://img.example.cn/1.jpg"], "result": "讲座两场，居民80人次"}
        patched = call("partner_shared", "patch", slug, f"projects/{mine[slug]['id']}", json=photos)
        assert patched.status_code == 200
        assert patched.get_json()["photos"] == photos["photos"]
    # the third community: the unit is no partner there, it sees nothing at all
    response = client.get("/api/v1/t/delta/partners/projects", headers=auth("partner_shared"))
    assert problem(response)["code"] == "tenant_not_found"
    tenants = client.get("/api/v1/me/tenants", headers=auth("partner_shared")).get_json()
    assert "delta" not in str(tenants)


def test_a_unit_member_acts_only_for_their_unit(world: World, call: Call) -> None:
    theirs = project(call, "beta", "shared-unit")
    own = project(call, "beta", "beta-unit")
    listed = call("partner_beta", "get", "beta", "projects").get_json()
    assert [p["id"] for p in listed] == [own["id"]]
    assert call("partner_beta", "get", "beta", f"projects/{theirs['id']}").status_code == 404
    resources = call("partner_beta", "get", "beta", "resources").get_json()
    assert {r["unit"]["slug"] for r in resources} == {"beta-unit"}
    offered = {"kind": "venue", "title": "会议室", "categories": ["文体活动"]}
    mine = call("partner_beta", "post", "beta", "resources", json=offered)
    assert mine.status_code == 201
    assert mine.get_json()["unit"]["slug"] == "beta-unit"  # their own unit by default
    other = call(
        "partner_beta", "post", "beta", "resources", json=offered | {"unit": "shared-unit"}
    )
    assert problem(other)["errors"]["json"]["unit"]
    units = call("partner_beta", "get", "beta", "units").get_json()
    assert [u["unit"]["slug"] for u in units] == ["beta-unit"]
    # a unit does not raise needs, agree or cancel projects, or verify hours
    assert call("partner_beta", "post", "beta", "needs", json={}).status_code == 403
    assert move(call, "partner_beta", "beta", own["id"], "agreed").status_code == 403


def test_the_open_needs_a_unit_could_meet(world: World, call: Call) -> None:
    resource(call, "beta", "beta-unit")  # serves 法律咨询
    legal = need(call, "beta")
    need(call, "beta", title="楼道绿化", category="环境整治")
    seen = call("partner_beta", "get", "beta", "needs/open").get_json()
    assert [n["id"] for n in seen] == [legal["id"]]
    assert len(call("beta_admin", "get", "beta", "needs/open").get_json()) == 2
    matches = call("beta_admin", "get", "beta", f"needs/{legal['id']}/matches").get_json()
    assert [m["unit"]["slug"] for m in matches] == ["beta-unit"]


def test_project_lifecycle_and_the_need_it_meets(world: World, call: Call) -> None:
    made = project(call, "alpha", "shared-unit")
    pid, nid = made["id"], made["need_id"]
    assert call("alpha_admin", "get", "alpha", f"needs/{nid}").get_json()["status"] == "matched"
    refused = move(call, "alpha_admin", "alpha", pid, "done", result="x")
    assert problem(refused)["code"] == "invalid_transition"
    assert move(call, "alpha_admin", "alpha", pid, "agreed").status_code == 200
    assert move(call, "partner_shared", "alpha", pid, "in_progress").status_code == 200
    no_result = move(call, "partner_shared", "alpha", pid, "done")
    assert problem(no_result)["errors"]["json"]["result"]
    done = move(call, "partner_shared", "alpha", pid, "done", result="三场普法讲座，120人次")
    assert done.get_json()["status"] == "done"
    assert done.get_json()["done_at"]
    assert call("alpha_admin", "get", "alpha", f"needs/{nid}").get_json()["status"] == "met"
    late = call("alpha_admin", "patch", "alpha", f"projects/{pid}", json={"title": "改名"})
    assert problem(late)["code"] == "project_closed"
    again = {"title": "再来一次", "need_id": nid, "resources": made["resources"][:1]}
    again["resources"] = [{"resource_id": made["resources"][0]["resource_id"]}]
    assert problem(call("alpha_admin", "post", "alpha", "projects", json=again))["code"] == (
        "need_not_open"
    )


def test_cancelling_reopens_the_need_and_frees_the_quantity(world: World, call: Call) -> None:
    made = project(call, "alpha", "shared-unit", quantity=10)
    rid = made["resources"][0]["resource_id"]
    assert call("alpha_admin", "get", "alpha", f"resources/{rid}").get_json()["committed"] == 10
    lower = call("alpha_admin", "patch", "alpha", f"resources/{rid}", json={"quantity": 5})
    assert problem(lower)["code"] == "quantity_below_committed"
    assert problem(call("alpha_admin", "delete", "alpha", f"resources/{rid}"))["code"] == (
        "resource_in_use"
    )
    more = need(call, "alpha")
    body = {
        "title": "再借",
        "need_id": more["id"],
        "resources": [{"resource_id": rid, "quantity": 1}],
    }
    assert problem(call("alpha_admin", "post", "alpha", "projects", json=body))["code"] == (
        "resource_exhausted"
    )
    assert move(call, "alpha_admin", "alpha", made["id"], "cancelled").status_code == 200
    assert call("alpha_admin", "get", "alpha", f"needs/{made['need_id']}").get_json()["status"] == (
        "open"
    )
    assert call("alpha_admin", "get", "alpha", f"resources/{rid}").get_json()["committed"] == 0
    assert call("alpha_admin", "post", "alpha", "projects", json=body).status_code == 201


def test_ending_the_partnership_cuts_access_at_once_and_keeps_the_records(
    world: World, call: Call, client: FlaskClient
) -> None:
    made = project(call, "alpha", "shared-unit")
    assert call("partner_shared", "get", "alpha", "projects").status_code == 200
    ended = client.patch(
        "/api/v1/t/alpha/partnerships/shared-unit",
        headers=auth("alpha_admin"),
        json={"status": "ended"},
    )
    assert ended.status_code == 200, ended.get_json()
    gone = call("partner_shared", "get", "alpha", f"projects/{made['id']}")
    assert problem(gone)["code"] == "tenant_not_found"
    assert call("partner_shared", "get", "beta", "projects").status_code == 200  # beta goes on
    units = {u["unit"]["slug"]: u for u in call("alpha_admin", "get", "alpha", "units").get_json()}
    assert units["shared-unit"]["status"] == "ended"
    assert not units["shared-unit"]["active"]
    kept = call("alpha_admin", "get", "alpha", f"projects/{made['id']}")
    assert kept.status_code == 200
    refused = call(
        "alpha_admin",
        "post",
        "alpha",
        "resources",
        json={"unit": "shared-unit", "kind": "funds", "title": "经费"},
    )
    assert problem(refused)["code"] == "partnership_not_active"


def test_profile_records_the_wugong_agreement(world: World, call: Call) -> None:
    body = {
        "agreement_no": "FB-GJ-2026-01",
        "signed_on": "2026-01-10",
        "contacts": [{"name": "陈主任", "post": "办公室主任", "phone": "0591-85201234"}],
        "wugong": {"organisation": "支部结对共建", "resources": "提供会议室和法律顾问"},
        "party_org": "shared-unit 党支部",
        "party_org_reported_on": "2026-02-01",
    }
    saved = call("alpha_admin", "put", "alpha", "units/shared-unit", json=body)
    assert saved.status_code == 200, saved.get_json()
    seen = call("partner_shared", "get", "alpha", "units/shared-unit").get_json()
    assert seen["wugong"]["organisation"] == "支部结对共建"
    assert seen["contacts"][0]["name"] == "陈主任"
    assert seen["party_org"] == "shared-unit 党支部"
    bad = call("alpha_admin", "put", "alpha", "units/shared-unit", json={"signed_on": "昨天"})
    assert problem(bad)["errors"]["json"]["signed_on"]
    assert call("partner_shared", "put", "alpha", "units/shared-unit", json={}).status_code == 403
    assert call("alpha_admin", "get", "alpha", "units/beta-unit").status_code == 404


def test_needs_validate_categories_and_residents(
    world: World, call: Call, client: FlaskClient
) -> None:
    wrong = call("alpha_admin", "post", "alpha", "needs", json={"title": "x", "category": "外星"})
    assert problem(wrong)["errors"]["json"]["category"]
    nobody = {
        "title": "x",
        "category": "养老服务",
        "resident_id": "00000000-0000-4000-8000-000000000000",
    }
    assert problem(call("alpha_admin", "post", "alpha", "needs", json=nobody))["errors"]["json"][
        "resident_id"
    ]
    settings = {"enabled": True, "settings": {"need_categories": ["外星"]}}
    modules = "/api/v1/t/alpha/modules/partners"
    response = client.put(modules, headers=auth("alpha_admin"), json=settings)
    assert response.status_code == 200, response.get_json()
    ok = call("alpha_admin", "post", "alpha", "needs", json={"title": "x", "category": "外星"})
    assert ok.status_code == 201
    bad = {"enabled": True, "settings": {"meeting_rhythm": "daily"}}
    assert client.put(modules, headers=auth("alpha_admin"), json=bad).status_code == 422


def test_bad_input_is_a_problem_never_a_500(world: World, call: Call) -> None:
    bodies = [
        ("resources", {"kind": "venue", "title": "a\u202eb", "unit": "shared-unit"}),
        ("resources", {"kind": "castle", "title": "x", "unit": "shared-unit"}),
        ("resources", {"kind": "venue", "title": "x", "unit": "shared-unit", "quantity": "10"}),
        ("needs", {"title": "\x00", "category": "养老服务"}),
        ("projects", {"title": "x", "need_id": "not-a-uuid", "resources": []}),
        (
            "projects",
            {
                "title": "x",
                "need_id": "00000000-0000-4000-8000-000000000000",
                "resources": [{"resource_id": "00000000-0000-4000-8000-000000000001"}],
            },
        ),
        ("meetings", {"held_on": "2026-13-01", "title": "x"}),
        ("meetings", {"held_on": "2026-01-01", "title": "x", "attendance": [{"unit": "ghost"}]}),
        ("activities", {"title": "x", "held_on": "2026-01-01", "units": []}),
        ("hours", {"unit": "shared-unit", "served_on": "2999-01-01", "hours": 2, "content": "x"}),
        ("hours", {"unit": "shared-unit", "served_on": "2026-01-01", "hours": 99, "content": "x"}),
        ("evaluations", {"year": 2026, "grade": "excellent"}),
        (
            "party-members",
            {"resident_id": "00000000-0000-4000-8000-000000000000", "unit": "shared-unit"},
        ),
    ]
    for path, body in bodies:
        response = call("alpha_admin", "post", "alpha", path, json=body)
        assert response.status_code == 422, (path, body, response.get_json())
        assert problem(response)["code"] == "validation_failed"
    page = call("alpha_admin", "get", "alpha", "projects?page=99999999999999999999")
    assert 400 <= page.status_code < 500


def test_my_communities_across_the_units_partnerships(
    world: World, call: Call, client: FlaskClient
) -> None:
    mine = {slug: project(call, slug, "shared-unit") for slug in ("alpha", "beta")}
    project(call, "beta", "beta-unit")
    resource(call, "beta", "beta-unit")
    hours = {"served_on": "2026-01-05", "hours": 2, "content": "普法讲座"}
    assert call("partner_shared", "post", "alpha", "hours", json=hours).status_code == 201
    communities = "/api/v1/me/partners/communities"
    seen = client.get(communities, headers=auth("partner_shared")).get_json()
    assert [c["slug"] for c in seen] == ["alpha", "beta"]
    for community in seen:
        assert [p["id"] for p in community["projects"]] == [mine[community["slug"]]["id"]]
        assert [u["slug"] for u in community["units"]] == ["shared-unit"]
    assert [c["pending_hours"] for c in seen] == [2.0, 0.0]
    assert all(len(c["open_needs"]) == 0 for c in seen)  # its needs are matched already
    other = client.get(communities, headers=auth("partner_beta")).get_json()
    assert [c["slug"] for c in other] == ["beta", "delta"]
    assert [len(c["projects"]) for c in other] == [1, 0]
    assert client.get(communities, headers=auth("nobody")).get_json() == []
    assert client.get(communities).status_code == 401


def test_agreement_scans_are_kept_with_the_partnership(
    world: World, call: Call, client: FlaskClient
) -> None:
    scan = "%PDF-1.7 共建协议".encode()

    def upload() -> dict[str, Any]:
        return {"file": (io.BytesIO(scan), "共建协议.pdf")}

    where = url("alpha", "units/shared-unit/attachments")
    sent = client.post(where, headers=auth("alpha_admin"), data=upload())
    assert sent.status_code == 201, sent.get_json()
    kept = sent.get_json()["attachments"]
    assert [(a["name"], a["content_type"], a["bytes"]) for a in kept] == [
        ("共建协议.pdf", "application/pdf", len(scan))
    ]
    item = f"{where}/{kept[0]['id']}"
    got = client.get(item, headers=auth("partner_shared"))  # the unit reads its agreement
    assert got.status_code == 200
    assert got.data == scan
    assert got.mimetype == "application/pdf"
    program = {"file": (io.BytesIO(b"MZ\x90\x00 not a scan"), "协议.pdf")}
    refused = client.post(where, headers=auth("alpha_admin"), data=program)
    assert problem(refused)["errors"]["files"]["file"]
    assert client.post(where, headers=auth("alpha_admin")).status_code == 422  # no file
    assert client.post(where, headers=auth("partner_shared"), data=upload()).status_code == 403
    other = item.replace("shared-unit", "beta-unit")  # not alpha's partner
    assert client.get(other, headers=auth("alpha_admin")).status_code == 404
    assert client.delete(item, headers=auth("alpha_admin")).status_code == 204
    assert client.get(item, headers=auth("alpha_admin")).status_code == 404
