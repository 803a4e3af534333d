"""Every endpoint of the module, for every caller that must be kept out: no token (401),
another community's admin, a partner of another community, a unit whose partnership
ended (404 as if the community did not exist), a role without the module (403), the
module switched off (404), and a row id of another community (404)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from linli import db
from linli.plugins.models import ModuleEnablement
from linli.tenancy.context import tenant_context
from tests.conftest import PEOPLE, problem
from tests.plugins.partners import matrix
from tests.plugins.partners.conftest import World

PREFIX = "/api/v1/t/<slug>/partners"
_PARAM = re.compile(r"<(?:[a-z]+:)?(\w+)>")
#: Valid bodies, so that what answers is the row lookup and not the body's validation.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("/verification", "POST"): {"verified": True},
    ("/status", "POST"): {"status": "agreed"},
    ("/tasks", "POST"): {"title": "入户走访"},
    ("/decisions", "POST"): {
        "title": "决议",
        "need_id": str(uuid.uuid4()),
        "resources": [{"resource_id": str(uuid.uuid4())}],
    },
}


def body_for(rule: str, method: str) -> dict[str, Any]:
    return next((b for (end, m), b in BODIES.items() if rule.endswith(end) and m == method), {})


def partner_routes(app: Flask) -> list[tuple[str, str]]:
    return sorted(
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX + "/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    )


def _rows(app: Flask, world: World, slug: str) -> dict[str, Any]:
    with (
        app.app_context(),
        tenant_context(world.ref(slug)),
        db.database().session_scope() as session,
    ):
        return {**matrix.rows(session), "unit_slug": "shared-unit"}


def _concrete(rule: str, slug: str, rows: dict[str, Any]) -> str:
    return _PARAM.sub(lambda m: slug if m.group(1) == "slug" else str(rows[m.group(1)]), rule)


def _walk(
    client: FlaskClient, app: Flask, rows: dict[str, Any], who: str | None, slug: str = "alpha"
) -> list[tuple[str, int, str]]:
    headers = {} if who is None else {"Authorization": f"Bearer {PEOPLE[who]}"}
    answers = []
    for rule, method in partner_routes(app):
        url = _concrete(rule, slug, rows)
        response = client.open(url, method=method, headers=headers, json={})
        code = problem(response)["code"] if response.status_code >= 400 else ""
        answers.append((f"{method} {url}", response.status_code, code))
    return answers


def test_the_module_has_the_endpoints_the_issue_asks_for(app: Flask) -> None:
    routes = {rule[len(PREFIX) :] for rule, _ in partner_routes(app)}
    for path in ("/units", "/resources", "/needs", "/projects", "/meetings", "/activities"):
        assert path in routes
    for path in ("/hours", "/party-members", "/evaluations", "/exports", "/overview"):
        assert path in routes
    assert len(partner_routes(app)) >= 35


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        (None, 401, "unauthorized"),
        ("beta_admin", 404, "tenant_not_found"),  # another community's admin
        ("partner_beta", 404, "tenant_not_found"),  # a partner of another community
        ("partner_ended", 404, "tenant_not_found"),  # its partnership here has ended
        ("nobody", 404, "tenant_not_found"),
        ("bureau_yinxi", 403, "forbidden"),  # oversees alpha, holds no module permission
    ],
)
def test_every_endpoint_refuses(
    app: Flask, client: FlaskClient, world: World, who: str | None, status: int, code: str
) -> None:
    rows = _rows(app, world, "alpha")
    wrong = [a for a in _walk(client, app, rows, who) if a[1:] != (status, code)]
    assert wrong == []


def test_read_only_token_reads_but_cannot_write(
    app: Flask, client: FlaskClient, world: World
) -> None:
    rows = _rows(app, world, "alpha")
    for where, status, code in _walk(client, app, rows, "alpha_admin_read"):
        if where.startswith("GET"):
            assert status == 200, where
        else:
            assert (status, code) == (403, "forbidden"), where


def test_every_endpoint_is_gone_when_the_module_is_off(
    app: Flask, client: FlaskClient, world: World
) -> None:
    rows = _rows(app, world, "alpha")
    with (
        app.app_context(),
        tenant_context(world.ref("alpha")),
        db.database().session_scope() as session,
    ):
        for row in session.query(ModuleEnablement).filter_by(name="partners"):
            row.enabled = False
    for who in ("alpha_admin", "partner_shared"):
        answers = _walk(client, app, rows, who)
        assert {a[1:] for a in answers} == {(404, "module_not_enabled")}
    # the data is kept: switched on again, the rows are there
    response = client.patch(
        "/api/v1/t/alpha/modules/partners",
        headers={"Authorization": f"Bearer {PEOPLE['alpha_admin']}"},
        json={"enabled": True},
    )
    assert response.status_code == 200
    resource = client.get(
        _concrete(f"{PREFIX}/resources/<resource_id>", "alpha", rows),
        headers={"Authorization": f"Bearer {PEOPLE['alpha_admin']}"},
    )
    assert resource.get_json()["title"] == "党群活动室"


def test_rows_of_another_community_are_not_found(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _rows(app, world, "alpha")
    beta_rows = _rows(app, world, "beta")
    beta_rows["unit_slug"] = "beta-unit"  # partnered with beta only
    item_routes = [r for r in partner_routes(app) if "<" in r[0].removeprefix(PREFIX)]
    headers = {"Authorization": f"Bearer {PEOPLE['alpha_admin']}"}
    for rule, method in item_routes:
        url = _concrete(rule, "alpha", beta_rows)
        response = client.open(url, method=method, headers=headers, json=body_for(rule, method))
        assert response.status_code == 404, f"{method} {url}: {response.status_code}"
        assert problem(response)["code"] == "not_found"


def test_unknown_ids_are_404_not_500(app: Flask, client: FlaskClient, world: World) -> None:
    rows = {name: uuid.uuid4() for name in matrix.PARAMETERS} | {"unit_slug": "no-such-unit"}
    headers = {"Authorization": f"Bearer {PEOPLE['alpha_admin']}"}
    for rule, method in partner_routes(app):
        if "<" not in rule.removeprefix(PREFIX):
            continue
        url = _concrete(rule, "alpha", rows)
        response = client.open(url, method=method, headers=headers, json=body_for(rule, method))
        assert response.status_code == 404, f"{method} {rule}"
