"""The partner units' console pages: the lists with their rows, matching a need to
resources, moving a project on, a unit member's own desk, errors next to their fields,
and every endpoint refusing whoever must not reach it."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from linli import db
from linli.identity.models import Membership, User
from linli.identity.permissions import STAFF
from linli.tenancy.models import Tenant
from tests.console_support import (
    Endpoint,
    console_client,
    isolation_failures,
    post_form,
    unlisted_endpoints,
)
from tests.plugins.partners.conftest import Call, World
from tests.plugins.partners.test_partners_lists import need, project, resource

BASE = "/console/t/alpha/partners"


def _plain_staff(app: Flask, person: str) -> None:
    """Make one of the fixture people a member of alpha with no role of the module."""
    with app.app_context(), db.database().session_scope() as session:
        user = session.scalars(select(User).where(User.email == f"{person}@linli.test")).one()
        alpha = session.scalars(select(Tenant.id).where(Tenant.slug == "alpha")).one()
        session.add(Membership(tenant_id=alpha, user_id=user.id, roles=[STAFF]))


def test_every_page_shows_its_rows_and_escapes_what_people_typed(
    app: Flask, world: World, call: Call
) -> None:
    made = project(call, "alpha", "shared-unit", quantity=4)
    hostile = need(call, "alpha", title="<script>alert(1)</script>")
    admin = console_client(app, "alpha_admin")
    index = admin.get(BASE)
    assert index.status_code == 200
    assert "shared-unit 共建单位" in index.text
    assert "ended-unit 共建单位" in index.text
    assert made["title"] in admin.get(f"{BASE}/projects").text
    needs = admin.get(f"{BASE}/needs").text
    assert "居民普法宣传" in needs
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in needs
    assert "<script>alert" not in needs
    resources = admin.get(f"{BASE}/resources").text
    assert "shared-unit 法律顾问" in resources
    assert "4 / 10" in resources
    matching = admin.get(f"{BASE}/needs/{hostile['id']}").text
    assert "shared-unit 法律顾问" in matching  # the resource serves 法律咨询, the need's category
    page = admin.get(f"{BASE}/projects/{made['id']}").text
    assert "shared-unit 共建单位" in page
    assert "居民普法宣传" in page
    assert made["title"] in admin.get(f"{BASE}/units/shared-unit").text
    assert admin.get(f"{BASE}/desk").status_code == 200
    english = admin.get(f"{BASE}/needs?lang=en").text
    assert "Needs list" in english
    assert "需求清单" in admin.get(f"{BASE}/needs?lang=zh_CN").text


def test_matching_a_need_to_resources_proposes_a_project(
    app: Flask, world: World, call: Call
) -> None:
    counted = resource(call, "alpha", "shared-unit", quantity=10, title="法律讲座")
    advice = resource(call, "alpha", "shared-unit")
    wanted = need(call, "alpha")
    admin = console_client(app, "alpha_admin")
    form = {
        "title": "普法进社区",
        "resource": [counted["id"], advice["id"]],
        f"quantity-{counted['id']}": "3",
        "starts_on": "2026-12-01",
    }
    response = post_form(admin, f"{BASE}/needs/{wanted['id']}/match", form)
    assert response.status_code == 302, response.text[:2000]
    projects = call("alpha_admin", "get", "alpha", "projects").get_json()
    assert [p["title"] for p in projects] == ["普法进社区"]
    assert response.headers["Location"].endswith(f"/projects/{projects[0]['id']}")
    taken = {r["resource_id"]: r["quantity"] for r in projects[0]["resources"]}
    assert taken == {counted["id"]: 3, advice["id"]: None}
    assert call("alpha_admin", "get", "alpha", f"needs/{wanted['id']}").get_json()["status"] == (
        "matched"
    )
    used = call("alpha_admin", "get", "alpha", f"resources/{counted['id']}").get_json()
    assert used["committed"] == 3
    moved = post_form(admin, f"{BASE}/projects/{projects[0]['id']}/status", {"status": "agreed"})
    assert moved.status_code == 302
    assert call("alpha_admin", "get", "alpha", "projects").get_json()[0]["status"] == "agreed"


def test_errors_are_shown_next_to_their_fields(app: Flask, world: World, call: Call) -> None:
    admin = console_client(app, "alpha_admin")
    blank = post_form(admin, f"{BASE}/needs", {"title": "", "category": "法律咨询"})
    assert blank.status_code == 422
    assert 'id="title" name="title" type="text" value=""' in blank.text
    assert 'aria-invalid="true" aria-describedby="title-error"' in blank.text
    assert 'class="field-error" id="title-error"' in blank.text
    counted = resource(call, "alpha", "shared-unit", quantity=10)
    wanted = need(call, "alpha")
    missing = post_form(
        admin, f"{BASE}/needs/{wanted['id']}/match", {"title": "x", "resource": counted["id"]}
    )
    assert missing.status_code == 422
    assert 'id="resources-error"' in missing.text
    assert "数量" in missing.text.split('id="resources-error"')[1].split("</small>")[0]
    made = project(call, "alpha", "shared-unit")
    for status in ("agreed", "in_progress"):
        assert (
            post_form(admin, f"{BASE}/projects/{made['id']}/status", {"status": status}).status_code
            == 302
        )
    undone = post_form(admin, f"{BASE}/projects/{made['id']}/status", {"status": "done"})
    assert undone.status_code == 422
    assert 'class="field-error" id="result-error"' in undone.text
    assert call("alpha_admin", "get", "alpha", f"projects/{made['id']}").get_json()["status"] == (
        "in_progress"
    )


def test_a_partner_member_works_for_their_own_unit(app: Flask, world: World, call: Call) -> None:
    own = project(call, "beta", "beta-unit")
    theirs = project(call, "beta", "shared-unit")
    need(call, "beta", title="楼道绿化", category="环境整治")
    member = console_client(app, "partner_beta")
    base = "/console/t/beta/partners"
    desk = member.get(f"{base}/desk").text
    assert "beta-unit 共建单位" in desk
    assert own["title"] in desk
    assert theirs["title"] not in desk
    assert "楼道绿化" not in desk
    listed = member.get(f"{base}/resources").text
    assert "beta-unit 法律顾问" in listed
    assert "shared-unit 法律顾问" not in listed
    assert 'name="unit"' not in listed  # their own unit goes without saying
    offered = post_form(
        member, f"{base}/resources", {"kind": "venue", "title": "会议室", "categories": "文体活动"}
    )
    assert offered.status_code == 302
    mine = call("beta_admin", "get", "beta", "resources?kind=venue").get_json()
    assert [(r["title"], r["unit"]["slug"]) for r in mine] == [("会议室", "beta-unit")]
    assert member.get(f"{base}/projects/{theirs['id']}").status_code == 404
    assert member.get(f"{base}/units/shared-unit").status_code == 404
    page = member.get(f"{base}/projects/{own['id']}").text
    assert 'value="agreed"' not in page  # agreeing is the community's
    agreeing = post_form(member, f"{base}/projects/{own['id']}/status", {"status": "agreed"})
    assert agreeing.status_code == 403
    assert (
        post_form(member, f"{base}/needs", {"title": "x", "category": "法律咨询"}).status_code
        == 403
    )


def test_every_endpoint_refuses_whoever_must_not_reach_it(
    app: Flask, world: World, call: Call
) -> None:
    made = project(call, "alpha", "shared-unit")
    _plain_staff(app, "nobody")
    need_id, project_id = made["need_id"], made["id"]
    endpoints = [
        Endpoint("GET", "", "nobody"),
        Endpoint("GET", "units/shared-unit", "nobody"),
        Endpoint("GET", "needs", "nobody"),
        Endpoint("POST", "needs", "partner_shared"),
        Endpoint("GET", f"needs/{need_id}", "nobody", row=True),
        Endpoint("POST", f"needs/{need_id}/match", "partner_shared", row=True),
        Endpoint("GET", "resources", "nobody"),
        Endpoint("POST", "resources", "nobody"),
        Endpoint("GET", "projects", "nobody"),
        Endpoint("GET", f"projects/{project_id}", "nobody", row=True),
        Endpoint("POST", f"projects/{project_id}/status", "nobody", row=True),
        Endpoint("GET", "desk", "nobody"),
    ]
    assert unlisted_endpoints(app, "partners_console", "partners", endpoints) == set()
    assert isolation_failures(app, "partners", endpoints) == []
    assert call("alpha_admin", "get", "alpha", "needs").get_json()[0]["status"] == "matched"
