"""Console pages in tests: a test client logged in as one of the fixture people (the
browser session, as after the login form), with the CSRF token its forms need."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from linli import db
from linli.identity.models import User
from linli.plugins.models import ModuleEnablement
from linli.tenancy.context import TenantRef, tenant_context
from linli.tenancy.models import Tenant

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def console_client(app: Flask, person: str | None) -> FlaskClient:
    """A client whose session belongs to ``person`` (``<key>@linli.test``); None: nobody."""
    client = app.test_client()
    if person is None:
        return client
    with app.app_context():
        user_id = db.session().scalar(select(User.id).where(User.email == f"{person}@linli.test"))
    assert user_id is not None, f"no fixture user {person}"
    with client.session_transaction() as session:
        session["user_id"] = str(user_id)
    return client


def csrf_token(client: FlaskClient) -> str:
    page = client.get("/console/")
    found = CSRF.search(page.text)
    assert found is not None, page.text[:500]
    return found.group(1)


def post_form(
    client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any
) -> Any:
    """POST a console form with a valid CSRF token."""
    return client.post(path, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


@dataclass(frozen=True)
class Endpoint:
    """A console endpoint of a module, for :func:`isolation_failures`.

    ``path`` is under ``/console/t/<slug>/<module>/`` with the ids of rows of the home
    community filled in; ``forbidden`` is a person of the home community whose roles lack
    the view's permission; ``row`` says the path names a row by id, so the other
    community's admin asking for it in their own community must get a 404 as well."""

    method: str
    path: str
    forbidden: str
    row: bool = False


def switch_module(app: Flask, slug: str, module: str, *, enabled: bool) -> None:
    """Switch a module on or off in a community, straight in its enablement row."""
    with app.app_context(), db.database().session_scope() as session:
        tenant = session.scalars(select(Tenant).where(Tenant.slug == slug)).one()
        with tenant_context(TenantRef(tenant.id, tenant.slug)):
            query = select(ModuleEnablement).where(ModuleEnablement.name == module)
            session.scalars(query).one().enabled = enabled
            session.flush()


def _anonymous_with_csrf(app: Flask) -> tuple[FlaskClient, str]:
    """A client with a valid CSRF token in its session and nobody logged in: what a
    browser whose session expired posts with."""
    client = console_client(app, "alpha_admin")
    token = csrf_token(client)
    with client.session_transaction() as session:
        session.pop("user_id")
    return client, token


def isolation_failures(
    app: Flask,
    module: str,
    endpoints: list[Endpoint],
    *,
    home: str = "alpha",
    other: str = "beta",
) -> list[str]:
    """Every way a module's console endpoint must refuse a caller, checked for each
    endpoint; returns what went wrong (empty: all refused as they should be).

    The callers: nobody (302 to the login page), the other community's admin (404), a
    person of the community without the permission (403), a partner unit member of the
    other community only (404), the home admin once the module is off (404) and posting
    without the CSRF token (400). Nothing here may succeed, so nothing changes."""
    admins = {slug: console_client(app, f"{slug}_admin") for slug in (home, other)}
    tokens = {slug: csrf_token(client) for slug, client in admins.items()}
    anonymous, anonymous_token = _anonymous_with_csrf(app)
    people: dict[str, tuple[FlaskClient, str]] = {}

    def person(key: str) -> tuple[FlaskClient, str]:
        if key not in people:
            client = console_client(app, key)
            people[key] = (client, csrf_token(client))
        return people[key]

    def call(client: FlaskClient, token: str | None, endpoint: Endpoint, slug: str) -> Any:
        url = f"/console/t/{slug}/{module}/{endpoint.path}".rstrip("/")
        data = {} if token is None or endpoint.method == "GET" else {"csrf_token": token}
        return client.open(url, method=endpoint.method, data=data)

    failures: list[str] = []

    def expect(what: str, endpoint: Endpoint, response: Any, status: int) -> None:
        if response.status_code != status:
            failures.append(
                f"{endpoint.method} {endpoint.path} {what}: {response.status_code}, not {status}"
            )

    for endpoint in endpoints:
        refused = call(anonymous, anonymous_token, endpoint, home)
        expect("without a session", endpoint, refused, 302)
        if not refused.headers.get("Location", "").startswith("/auth/login"):
            failures.append(f"{endpoint.method} {endpoint.path}: no redirect to the login page")
        expect(
            "by a foreign admin", endpoint, call(admins[other], tokens[other], endpoint, home), 404
        )
        expect("by a wrong role", endpoint, call(*person(endpoint.forbidden), endpoint, home), 403)
        partner = call(*person("partner_beta"), endpoint, home)
        expect("by another community's partner", endpoint, partner, 404)
        if endpoint.row:
            foreign_row = call(admins[other], tokens[other], endpoint, other)
            expect("for a row of another community", endpoint, foreign_row, 404)
        if endpoint.method != "GET":
            forged = call(admins[home], None, endpoint, home)
            expect("without the CSRF token", endpoint, forged, 400)
    switch_module(app, home, module, enabled=False)
    try:
        for endpoint in endpoints:
            off = call(admins[home], tokens[home], endpoint, home)
            expect("with the module off", endpoint, off, 404)
    finally:
        switch_module(app, home, module, enabled=True)
    return failures


def unlisted_endpoints(
    app: Flask, blueprint: str, module: str, endpoints: list[Endpoint]
) -> set[str]:
    """The blueprint's endpoints (view and method) that ``endpoints`` leave out."""
    adapter = app.url_map.bind("localhost")
    listed = set()
    for endpoint in endpoints:
        url = f"/console/t/x/{module}/{endpoint.path}".rstrip("/")
        listed.add(f"{endpoint.method} {adapter.match(url, endpoint.method)[0]}")
    every = {
        f"{method} {rule.endpoint}"
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(f"{blueprint}.")
        for method in rule.methods or ()
        if method in ("GET", "POST")
    }
    return every - listed
