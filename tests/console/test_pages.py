"""Who may open which console page: every core and mediation console route, called with
no session, from another community, with a role that lacks the permission, as a partner
of another community or after the partnership ended, with the module off, and posted
without a CSRF token. Row ids in the paths are real rows of the other community."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask

from linli.app import create_app
from linli.config import Settings
from tests.conftest import Communities, auth
from tests.console_support import console_client, csrf_token, post_form

#: Each console route (rule, method) of the core and of mediation; ``{household}``,
#: ``{job}``, ``{case}`` are filled with real rows of beta (the foreign community).
ROUTES = [
    ("/console/t/alpha/", "GET", "tenant.read"),
    ("/console/t/alpha/modules", "GET", "modules.manage"),
    ("/console/t/alpha/modules/mediation", "GET", "modules.manage"),
    ("/console/t/alpha/modules/mediation", "POST", "modules.manage"),
    ("/console/t/alpha/modules/mediation/switch", "POST", "modules.manage"),
    ("/console/t/alpha/members", "GET", "members.read"),
    ("/console/t/alpha/members", "POST", "members.manage"),
    ("/console/t/alpha/members/{user}/remove", "POST", "members.manage"),
    ("/console/t/alpha/partnerships", "GET", "members.read"),
    ("/console/t/alpha/partnerships", "POST", "members.manage"),
    ("/console/t/alpha/partnerships/shared-unit/end", "POST", "members.manage"),
    ("/console/t/alpha/audit", "GET", "audit.read"),
    ("/console/t/alpha/residents", "GET", "residents.read"),
    ("/console/t/alpha/households/{household}", "GET", "residents.read"),
    ("/console/t/alpha/places", "GET", "places.read"),
    ("/console/t/alpha/residents/import", "GET", "residents.write"),
    ("/console/t/alpha/residents/import", "POST", "residents.write"),
    ("/console/t/alpha/residents/export", "POST", "residents.export"),
    ("/console/t/alpha/jobs/{job}", "GET", "jobs.read"),
    ("/console/t/alpha/jobs/{job}/file", "GET", "jobs.read"),
    ("/console/t/alpha/jobs/{job}/progress", "GET", "jobs.read"),
    ("/console/t/alpha/mediation/cases", "GET", "mediation.read"),
    ("/console/t/alpha/mediation/cases/new", "GET", "mediation.write"),
    ("/console/t/alpha/mediation/cases/new", "POST", "mediation.write"),
    ("/console/t/alpha/mediation/cases/{case}", "GET", "mediation.read"),
    ("/console/t/alpha/mediation/cases/{case}/accept", "POST", "mediation.manage"),
]
PLATFORM_ROUTES = [
    ("/console/bureau/", "GET"),
    ("/console/bureau/onboard", "GET"),
    ("/console/bureau/onboard", "POST"),
    ("/console/bureau/dashboard", "GET"),
    ("/console/bureau/dashboard.xlsx", "GET"),
]


@dataclass
class Rows:
    """Real rows of beta, the community the caller does not belong to."""

    household: str
    job: str
    case: str
    user: str


def _enable_mediation(app: Flask, slug: str, who: str) -> None:
    client = app.test_client()
    put = client.put(
        f"/api/v1/t/{slug}/modules/mediation", json={"enabled": True}, headers=auth(who)
    )
    assert put.status_code == 200, put.text


@pytest.fixture
def beta_rows(app: Flask, communities: Communities) -> Rows:
    client = app.test_client()
    _enable_mediation(app, "beta", "beta_admin")
    household = client.post("/api/v1/t/beta/households", json={}, headers=auth("beta_admin"))
    job = client.post("/api/v1/t/beta/exports", headers=auth("beta_admin"))
    case = client.post(
        "/api/v1/t/beta/mediation/cases",
        headers=auth("beta_admin"),
        json={
            "title": "噪音",
            "category": "neighbour",
            "facts": "楼上装修噪音。",
            "parties": [
                {"side": "applicant", "name": "甲"},
                {"side": "respondent", "name": "乙"},
            ],
        },
    )
    members = client.get("/api/v1/t/beta/members", headers=auth("beta_admin")).get_json()
    assert (household.status_code, job.status_code, case.status_code) == (201, 202, 201)
    return Rows(
        household.get_json()["id"],
        job.get_json()["id"],
        case.get_json()["id"],
        members[0]["user_id"],
    )


def _call(app: Flask, person: str | None, path: str, method: str, *, csrf: bool = True) -> int:
    client = console_client(app, person)
    if method == "GET":
        return client.get(path).status_code
    if not csrf or person is None:
        return client.post(path, data={}).status_code
    return post_form(client, path, {}).status_code


def _paths(rows: Rows) -> list[tuple[str, str, str]]:
    return [(rule.format(**vars(rows)), method, need) for rule, method, need in ROUTES]


def test_the_table_names_every_console_route(app: Flask) -> None:
    """A console page added without a row here fails this test."""
    table = {(re.sub(r"\{\w+\}", "<>", rule), method) for rule, method, _need in ROUTES}
    table |= {(rule, method) for rule, method in PLATFORM_ROUTES}
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("console_", "mediation_console")):
            continue
        if rule.endpoint in ("console_assets.asset", "console_home.index"):
            continue
        path = re.sub(r"<[^>]+>", "<>", rule.rule).replace("/t/<>/", "/t/alpha/")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((path, method))
    concrete = {
        (path.replace("/modules/mediation", "/modules/<>").replace("shared-unit", "<>"), m)
        for path, m in table
    }
    concrete = {(p.replace("/cases/<>/accept", "/cases/<>/<>"), m) for p, m in concrete}
    assert found == concrete


def test_without_a_session_every_page_sends_to_the_login(
    app: Flask, communities: Communities, beta_rows: Rows
) -> None:
    _enable_mediation(app, "alpha", "alpha_admin")
    for path, method, _need in _paths(beta_rows):
        client = app.test_client()
        response = client.get(path) if method == "GET" else client.post(path)
        if method == "GET":
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/auth/login?next="), path
        else:
            assert response.status_code == 400, path  # no CSRF token: refused before anything


@pytest.mark.parametrize(
    "person", ["beta_admin", "partner_beta", "partner_ended", "nobody"], ids=str
)
def test_people_without_a_role_here_get_the_same_404(
    app: Flask, communities: Communities, beta_rows: Rows, person: str
) -> None:
    _enable_mediation(app, "alpha", "alpha_admin")
    for path, method, _need in _paths(beta_rows):
        assert _call(app, person, path, method) == 404, (person, method, path)


def test_rows_of_another_community_are_not_found(
    app: Flask, communities: Communities, beta_rows: Rows
) -> None:
    _enable_mediation(app, "alpha", "alpha_admin")
    client = console_client(app, "alpha_admin")
    for path in (
        f"/console/t/alpha/households/{beta_rows.household}",
        f"/console/t/alpha/jobs/{beta_rows.job}",
        f"/console/t/alpha/jobs/{beta_rows.job}/progress",
        f"/console/t/alpha/mediation/cases/{beta_rows.case}",
    ):
        page = client.get(path)
        assert page.status_code == 404, path
        assert "噪音" not in page.text
    refused = post_form(client, f"/console/t/alpha/mediation/cases/{beta_rows.case}/accept")
    assert refused.status_code == 404
    for_beta = console_client(app, "beta_admin").get(
        f"/console/t/beta/mediation/cases/{beta_rows.case}"
    )
    assert for_beta.status_code == 200
    assert "噪音" in for_beta.text


@pytest.mark.parametrize("person", ["partner_shared", "alpha_staff"])
def test_a_role_without_the_permission_gets_403(
    app: Flask, communities: Communities, beta_rows: Rows, person: str
) -> None:
    """The partner holds only tenant.read and places.read; staff lack the admin ones."""
    _enable_mediation(app, "alpha", "alpha_admin")
    granted = {
        "partner_shared": {"tenant.read", "places.read"},
        "alpha_staff": {
            *("tenant.read", "places.read", "jobs.read", "residents.read", "residents.write"),
        },
    }[person]
    for path, method, need in _paths(beta_rows):
        status = _call(app, person, path, method)
        if need in granted:
            assert status not in (302, 401, 403), (person, method, path, status)
        else:
            assert status == 403, (person, method, path, status)


def test_a_module_switched_off_hides_its_pages(
    app: Flask, communities: Communities, beta_rows: Rows
) -> None:
    for path, method, _need in _paths(beta_rows):
        if "/t/alpha/mediation/" in path:
            assert _call(app, "alpha_admin", path, method) == 404, path


def test_a_suspended_community_is_refused(app: Flask, communities: Communities) -> None:
    assert console_client(app, "bureau_yinxi").get("/console/t/gamma/").status_code == 403


def test_a_post_without_its_csrf_token_is_refused(
    app: Flask, communities: Communities, beta_rows: Rows
) -> None:
    _enable_mediation(app, "alpha", "alpha_admin")
    client = console_client(app, "alpha_admin")
    for path, method, _need in _paths(beta_rows):
        if method == "POST":
            assert client.post(path, data={"csrf_token": "forged"}).status_code == 400, path
            assert client.post(path).status_code == 400, path


def test_bureau_pages_are_for_bureau_staff_and_show_only_their_communities(
    app: Flask, communities: Communities
) -> None:
    for path, method in PLATFORM_ROUTES:
        for person in ("alpha_admin", "partner_shared"):
            assert _call(app, person, path, method) == 403, (person, path)
    listing = console_client(app, "bureau_yinxi").get("/console/bureau/")
    assert listing.status_code == 200
    assert "福百社区" in listing.text
    assert "停用社区" in listing.text
    assert "菖蒲社区" not in listing.text  # beta belongs to another bureau
    refused = post_form(
        console_client(app, "bureau_yinxi"),
        "/console/bureau/onboard",
        {"name": "越界社区", "slug": "overreach", "bureau": "linjiang"},
    )
    assert refused.status_code == 422  # a bureau the caller does not work for
    assert console_client(app, "platform_admin").get("/console/bureau/").status_code == 200


def test_the_language_choice_is_remembered(app: Flask, communities: Communities) -> None:
    client = console_client(app, "alpha_admin")
    assert "概况" in client.get("/console/t/alpha/").text
    assert "Overview" in client.get("/console/t/alpha/?lang=en").text
    assert "Overview" in client.get("/console/t/alpha/").text
    assert "概况" in client.get("/console/t/alpha/?lang=zh_CN").text


def test_the_dashboard_downloads_as_a_workbook(app: Flask, communities: Communities) -> None:
    response = console_client(app, "bureau_yinxi").get("/console/bureau/dashboard.xlsx")
    assert response.status_code == 200
    assert response.data[:2] == b"PK"
    assert "attachment" in response.headers["Content-Disposition"]


def test_the_token_in_the_page_is_the_one_posts_need(app: Flask, communities: Communities) -> None:
    client = console_client(app, "alpha_admin")
    token = csrf_token(client)
    switched = client.post(
        "/console/t/alpha/modules/mediation/switch",
        data={"csrf_token": token, "enabled": "1"},
    )
    assert switched.status_code == 302
    assert (
        console_client(app, "alpha_admin").get("/console/t/alpha/mediation/cases").status_code
        == 200
    )


def test_an_export_is_downloaded_by_whom_started_it(app: Flask, communities: Communities) -> None:
    admin = console_client(app, "alpha_admin")
    started = post_form(admin, "/console/t/alpha/residents/export")
    assert started.status_code == 302
    job_page = admin.get(started.headers["Location"])
    assert 'data-status="finished"' in job_page.text  # no Redis here: the job ran inline
    link = re.search(r'href="([^"]+/file)"', job_page.text)
    assert link is not None
    download = admin.get(link.group(1))
    assert download.status_code == 200
    assert download.data[:2] == b"PK"
    # a staff member may follow the community's jobs, not take another person's export
    assert console_client(app, "alpha_staff").get(link.group(1)).status_code == 403
    full = post_form(console_client(app, "alpha_staff"), "/console/t/alpha/residents/export")
    assert full.status_code == 403


def test_front_end_files_come_from_linli_itself(app: Flask, communities: Communities) -> None:
    client = console_client(app, "alpha_admin")
    page = client.get("/console/t/alpha/").text
    loaded = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert loaded
    assert all(url.startswith("/console/assets/") for url in loaded), loaded
    for name in ("htmx.min.js", "echarts.min.js", "pico.min.css", "console.js", "console.css"):
        with client.get(f"/console/assets/{name}") as served:
            assert served.status_code == 200, name
            assert served.headers["Cache-Control"] == "public, max-age=86400"
    for name in ("nothing.js", "../pages.py", "..%2Fpages.py", "%2e%2e/wiring.py"):
        assert client.get(f"/console/assets/{name}").status_code == 404, name


def test_a_mistyped_console_address_is_a_page_and_the_api_keeps_problems(
    app: Flask, communities: Communities
) -> None:
    client = console_client(app, "alpha_admin")
    page = client.get("/console/t/alpha/no-such-page")
    assert page.status_code == 404
    assert page.mimetype == "text/html"
    api = client.get("/api/v1/no-such-route")
    assert api.status_code == 404
    assert api.mimetype == "application/problem+json"


def test_an_absurd_page_number_is_a_4xx_page(app: Flask, communities: Communities) -> None:
    client = console_client(app, "alpha_admin")
    for path in ("/console/t/alpha/audit", "/console/t/alpha/residents"):
        assert client.get(f"{path}?page=99999999999999999999").status_code == 422, path


def test_a_queue_that_is_down_is_a_503_page_that_says_when_to_try_again(
    settings: Settings, communities: Communities
) -> None:
    """The console's error page keeps the problem's headers (``Retry-After``)."""
    down = create_app(settings.with_overrides(redis_url="redis://127.0.0.1:1/0"))
    try:
        client = console_client(down, "alpha_admin")
        refused = post_form(client, "/console/t/alpha/residents/export", {"format": "csv"})
    finally:
        down.extensions["linli.db"].dispose()
    assert (refused.status_code, refused.mimetype) == (503, "text/html")
    assert refused.headers["Retry-After"] == "30"
