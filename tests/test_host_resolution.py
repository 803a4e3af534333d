"""The community from the host: ``<slug>.<LINLI_BASE_DOMAIN>`` (``linli.test`` here)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from flask.testing import FlaskClient

from linli.tenancy.resolver import TenantHostMiddleware
from tests.conftest import AUTH, BASE_DOMAIN, Communities, problem


def _on(host: str) -> dict[str, str]:
    return {**AUTH, "Host": host}


def _same(host_answer: Any, path_answer: Any) -> None:
    assert host_answer.status_code == path_answer.status_code == 200, host_answer.data[:300]
    assert host_answer.get_json() == path_answer.get_json()
    assert host_answer.headers.get("X-Pagination") == path_answer.headers.get("X-Pagination")


def test_host_form_equals_path_form(client: FlaskClient, communities: Communities) -> None:
    compound, building = communities.alpha.compounds[1], communities.alpha.buildings[0]
    on = {"enabled": True, "settings": {}}
    assert (
        client.put("/api/v1/t/alpha/modules/noticeboard", json=on, headers=AUTH).status_code == 200
    )
    rests = [
        "modules",
        "noticeboard/notices",  # a module's API: /api/v1/<module>/… on the host
        "compounds",
        "compounds?page=2&page_size=1",
        f"compounds/{compound}",
        f"compounds/{compound}/buildings",
        f"buildings/{building}",
        "",
    ]
    for rest in rests:
        by_path = client.get(f"/api/v1/t/alpha/{rest}".rstrip("/"), headers=AUTH)
        for host in ("alpha.linli.test", "alpha.linli.test:8443", "ALPHA.Linli.Test:80"):
            _same(client.get(f"/api/v1/{rest}", headers=_on(host)), by_path)
        # a path that names the host's own community works on its host too
        _same(
            client.get(f"/api/v1/t/alpha/{rest}".rstrip("/"), headers=_on("alpha.linli.test")),
            by_path,
        )
        beta = client.get(f"/api/v1/{rest}", headers=_on("beta.linli.test"))
        assert beta.get_json() != by_path.get_json(), rest  # the host chose, not a default
    for community, name in ((communities.alpha, "福百社区"), (communities.beta, "菖蒲社区")):
        host = f"{community.ref.slug}.linli.test"
        rows = client.get("/api/v1/compounds", headers=_on(host)).get_json()
        assert [row["id"] for row in rows] == [str(i) for i in community.compounds]
        assert client.get("/api/v1/", headers=_on(host)).get_json()["name"] == name


def test_writes_on_a_host_land_in_that_community(
    client: FlaskClient, communities: Communities
) -> None:
    response = client.post(
        "/api/v1/compounds", json={"name": "主机小区"}, headers=_on("beta.linli.test")
    )
    assert response.status_code == 201
    created = response.get_json()["id"]
    assert client.get(f"/api/v1/t/beta/compounds/{created}", headers=AUTH).status_code == 200
    assert client.get(f"/api/v1/t/alpha/compounds/{created}", headers=AUTH).status_code == 404
    # the platform API on a community's host acts on the platform, not on that community
    suspend = client.post("/api/v1/platform/tenants/beta/suspend", headers=_on("alpha.linli.test"))
    assert (suspend.status_code, suspend.get_json()["slug"]) == (200, "beta")
    assert client.get("/api/v1/compounds", headers=_on("alpha.linli.test")).status_code == 200
    refused = client.get("/api/v1/compounds", headers=_on("beta.linli.test"))
    assert problem(refused)["code"] == "tenant_suspended"


def test_refusals_on_tenant_hosts(client: FlaskClient, communities: Communities) -> None:
    compound = communities.beta.compounds[0]
    # host alpha, path naming another community: the same 404 as an unknown community
    for path in (
        "/api/v1/t/beta",
        "/api/v1/t/beta/compounds",
        f"/api/v1/t/beta/compounds/{compound}",
        "/api/v1/t/gamma/compounds",
        "/api/v1/t/nosuch/compounds",
    ):
        response = client.get(path, headers=_on("alpha.linli.test"))
        assert response.status_code == 404, path
        assert problem(response)["code"] == "tenant_not_found"
        text = response.get_data(as_text=True)
        assert "菖蒲" not in text
        assert str(compound) not in text
    write = client.post(
        "/api/v1/t/beta/compounds", json={"name": "越界小区"}, headers=_on("alpha.linli.test")
    )
    assert problem(write)["code"] == "tenant_not_found"
    names = [c["name"] for c in client.get("/api/v1/t/beta/compounds", headers=AUTH).get_json()]
    assert "越界小区" not in names
    # a host naming no community
    for host in (
        "nosuch.linli.test",
        "alpha2.linli.test",
        "al_pha.linli.test",
        "xn--fiq.linli.test",
        "a.linli.test",
        "nosuch.linli.test:8443",
    ):
        for path in ("/api/v1/compounds", "/api/v1/"):
            response = client.get(path, headers=_on(host))
            assert response.status_code == 404, (host, path)
            assert problem(response)["code"] == "tenant_not_found"
    # the suspended community's host, and a host without a token
    suspended = client.get("/api/v1/compounds", headers=_on("gamma.linli.test"))
    assert (suspended.status_code, problem(suspended)["code"]) == (403, "tenant_suspended")
    anonymous = client.get("/api/v1/compounds", headers={"Host": "alpha.linli.test"})
    assert (anonymous.status_code, problem(anonymous)["code"]) == (401, "unauthorized")
    assert "WWW-Authenticate" in anonymous.headers


def test_platform_paths_are_unaffected_on_a_tenant_host(
    client: FlaskClient, communities: Communities
) -> None:
    for path in (
        "/api/v1/platform/tenants",
        "/api/v1/platform/tenants/beta",
        "/api/v1/platform/bureaus",
        "/healthz",
        "/api/openapi.json",
    ):
        plain = client.get(path, headers=AUTH)
        assert plain.status_code == 200
        for host in ("alpha.linli.test", "nosuch.linli.test", "gamma.linli.test:8000"):
            on_host = client.get(path, headers=_on(host))
            assert on_host.status_code == 200, (host, path, on_host.data[:300])
            assert on_host.get_json() == plain.get_json()


def test_other_hosts_are_not_tenant_hosts(client: FlaskClient, communities: Communities) -> None:
    for host in (
        "linli.test",
        "linli.test:8000",
        "alpha.example.com",
        "alpha.notlinli.test",
        "alpha.linli.test.evil.example",
        "beta.alpha.linli.test",
        "localhost",
        "127.0.0.1:5000",
    ):
        response = client.get("/api/v1/compounds", headers=_on(host))
        assert response.status_code == 404, host
        assert problem(response)["code"] == "not_found"  # no route: the path was not rewritten
        assert client.get("/api/v1/t/alpha/compounds", headers=_on(host)).status_code == 200


# --- the middleware on its own ------------------------------------------------------------


def _rewrite(path: str, host: str = "alpha.linli.test") -> tuple[str, str | None]:
    seen: dict[str, Any] = {}

    def inner(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        seen.update(environ)
        return [b""]

    environ = {"HTTP_HOST": host, "PATH_INFO": path}
    TenantHostMiddleware(inner, BASE_DOMAIN)(environ, lambda *args: None)
    return seen["PATH_INFO"], seen.get("linli.host_tenant")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/compounds", "/api/v1/t/alpha/compounds"),
        ("/api/v1/", "/api/v1/t/alpha"),
        ("/api/v1/teams", "/api/v1/t/alpha/teams"),
        ("/api/v1/me", "/api/v1/me"),
        ("/api/v1/me/tenants", "/api/v1/me/tenants"),
        ("/api/v1/platform", "/api/v1/platform"),
        ("/api/v1/platform/tenants", "/api/v1/platform/tenants"),
        ("/api/v1/t/beta/compounds", "/api/v1/t/beta/compounds"),
        ("/healthz", "/healthz"),
        ("/api/openapi.json", "/api/openapi.json"),
    ],
)
def test_middleware_rewrites_tenant_paths_only(path: str, expected: str) -> None:
    assert _rewrite(path) == (expected, "alpha")


@pytest.mark.parametrize(
    "module_path",
    # module APIs live at /api/v1/t/<slug>/<plugin>/…; on a host that is /api/v1/<plugin>/…
    [
        "/api/v1/mediation/cases",
        "/api/v1/meals/orders",
        "/api/v1/menus",
        "/api/v1/meetings",
        "/api/v1/platforms-news",
    ],
)
def test_module_paths_starting_like_reserved_prefixes_are_rewritten(module_path: str) -> None:
    """``/api/v1/me`` and ``/api/v1/platform`` are reserved as whole path segments only:
    the mediation module's ``/api/v1/mediation/…`` is a tenant path on a tenant host."""
    rest = module_path.removeprefix("/api/v1/")
    assert _rewrite(module_path) == (f"/api/v1/t/alpha/{rest}", "alpha")


def test_middleware_ignores_foreign_hosts() -> None:
    assert _rewrite("/api/v1/compounds", "alpha.example.com") == ("/api/v1/compounds", None)
    assert _rewrite("/api/v1/compounds", "linli.test") == ("/api/v1/compounds", None)
