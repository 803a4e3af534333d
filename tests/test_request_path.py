"""The request path's shortcuts give what the code they stand in for gives."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import flask_smorest
import pytest
from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface
from flask_smorest.pagination import _pagination_parameters_schema_factory
from marshmallow import Schema, fields, post_dump, pre_dump
from werkzeug.exceptions import HTTPException

from linli.api.dumping import speed_up
from linli.api.smorest import Blueprint, LinliParser, PaginationParser
from linli.app import CookieSessions, LinliFlask
from linli.identity.permissions import Level, Registry, Role
from tests.conftest import Communities, auth
from tests.test_rls import begins_with_tenant
from tests.wire import wire


class Row:
    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


class Inner(Schema):
    code = fields.String()


class Kitchen(Schema):
    """Every way a field can find its value, or not find it."""

    id = fields.UUID()
    name = fields.String(data_key="title")
    alias = fields.String(attribute="name", dump_only=True)
    when = fields.DateTime()
    count = fields.Integer(dump_default=7)
    tags = fields.List(fields.String())
    inner = fields.Nested(Inner, allow_none=True)
    code = fields.String(attribute="inner.code", dump_only=True)
    shout = fields.Method("loud")
    secret = fields.String(load_only=True)
    plain = fields.Function(lambda obj: "f")
    absent = fields.String()

    def loud(self, obj: Any) -> str:
        return str(obj.name).upper() if hasattr(obj, "name") else "?"


class Hooked(Schema):
    name = fields.String()

    @pre_dump
    def wrap(self, data: Any, **_: Any) -> Any:
        return {"name": f"<{data['name']}>"}

    @post_dump
    def mark(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**data, "hooked": True}


class Plain(Schema):
    """The kinds with a shortcut, each given its own type, another type and None."""

    text = fields.String(allow_none=True)
    number = fields.Integer(allow_none=True)
    counted = fields.Integer(as_string=True)
    uid = fields.UUID(allow_none=True)
    when = fields.DateTime(allow_none=True)
    rfc = fields.DateTime(format="rfc")
    stamp = fields.DateTime(format="timestamp")
    day = fields.DateTime(format="%Y-%m-%d")
    flag = fields.Boolean()


class OwnGetter(Schema):
    name = fields.String()

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        return f"got {attr}"


WHEN = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
SAMPLES: list[Any] = [
    Row(id=uuid.uuid4(), name="福百", when=WHEN, count=3, tags=["a"], inner=Row(code="x")),
    Row(id=uuid.uuid4(), name="菖蒲", when=None, inner=None),
    {"id": uuid.uuid4(), "name": "金辉", "when": WHEN, "inner": {"code": "y"}, "secret": "s"},
    {"name": None},
    Row(),
    Row(
        text="音西",
        number=5,
        counted=6,
        uid=uuid.uuid4(),
        when=WHEN,
        rfc=WHEN,
        stamp=WHEN,
        day=WHEN,
        flag=True,
    ),
    Row(text=b"bytes", number=True, counted=7.9, uid=str(uuid.uuid4()), flag=0),
    Row(text=7, number="8", uid=None, when=None),
    {"text": None, "number": None, "flag": None},
]


@pytest.mark.parametrize("schema_class", [Kitchen, Hooked, OwnGetter, Inner, Plain])
@pytest.mark.parametrize("many", [False, True])
def test_fast_dump_matches_marshmallow(schema_class: type[Schema], many: bool) -> None:
    samples = [s for s in SAMPLES if schema_class is not Hooked or isinstance(s, dict)]
    samples = [s for s in samples if "name" in s] if schema_class is Hooked else samples
    for sample in samples:
        obj = [sample, sample] if many else sample
        expected = schema_class(many=many).dump(obj)
        assert speed_up(schema_class(many=many)).dump(obj) == expected


def test_fast_dump_leaves_a_schema_with_its_own_serialize() -> None:
    class Own(Schema):
        name = fields.String()

        def _serialize(self, obj: Any, *, many: bool = False) -> Any:
            return "own"

    assert speed_up(Own()).dump(Row(name="a")) == "own"


@pytest.mark.parametrize(
    ("page", "page_size", "items"),
    [(1, 10, 0), (1, 10, 5), (1, 10, 10), (1, 10, 11), (2, 10, 25), (3, 10, 25), (9, 10, 25)],
)
def test_pagination_header_is_flask_smorests(page: int, page_size: int, items: int) -> None:
    ours = Blueprint._make_pagination_metadata(page, page_size, items)
    theirs = flask_smorest.Blueprint._make_pagination_metadata(page, page_size, items)
    assert json.dumps(ours) == json.dumps(theirs)  # the header, key order included


def test_granted_permissions_follow_declarations() -> None:
    """What roles grant is kept, and forgotten when a permission or a role is declared."""
    registry = Registry()
    seen = registry.permission("seen", Level.READ, "")
    changed = registry.permission("changed", Level.WRITE, "")
    registry.role(Role("everything", "", frozenset(), grants_all=True))
    assert registry.granted(["everything"], Level.WRITE) == {seen, changed}
    assert registry.granted({"everything"}, Level.READ) == {seen}
    added = registry.permission("added", Level.READ, "")
    assert registry.granted(["everything"], Level.WRITE) == {seen, changed, added}
    assert registry.granted(["viewer"], Level.ADMIN) == frozenset()
    registry.role(Role("viewer", "", frozenset({seen})))
    assert registry.granted(["viewer"], Level.ADMIN) == {seen}
    assert registry.granted(["viewer", "everything"], Level.READ) == {seen, added}


def test_parser_makes_one_instance_per_schema_class() -> None:
    parser = LinliParser()
    first = parser._get_schema(Inner, None)  # type: ignore[arg-type]
    assert isinstance(first, Inner)
    assert parser._get_schema(Inner, None) is first  # type: ignore[arg-type]
    instance = Inner()
    assert parser._get_schema(instance, None) is instance  # type: ignore[arg-type]


PAGES = _pagination_parameters_schema_factory(1, 10, 100)


def _pages(parser: LinliParser, query: str) -> tuple[int, int]:
    with Flask("t").test_request_context(query_string=query) as context:
        parameters = parser.parse(PAGES, context.request, location="query")
    return parameters.page, parameters.page_size


@pytest.mark.parametrize(
    "query", ["", "page=2", "page_size=20", "page=3&page_size=7", "page_size=20&lang=en", "page=07"]
)
def test_pagination_parser_gives_webargs_pages(query: str) -> None:
    parser, plain = PaginationParser(), LinliParser()
    expected = _pages(plain, query)
    assert _pages(parser, query) == expected
    assert _pages(parser, query) == expected  # the second time from what the first kept
    with Flask("t").test_request_context(query_string=query) as context:
        first = parser.parse(PAGES, context.request, location="query")
        first.item_count = 5
        again = parser.parse(PAGES, context.request, location="query")
    assert again is not first
    assert again.item_count is None


@pytest.mark.parametrize("query", ["page=0", "page_size=101", "page=x", "page_size=-1"])
def test_pagination_parser_refuses_bad_pages_every_time(query: str) -> None:
    parser = PaginationParser()
    for _ in range(2):
        with pytest.raises(HTTPException) as refused:
            _pages(parser, query)
        assert refused.value.code == 422
    assert not parser._pages


def test_pagination_parser_keeps_a_bounded_number_of_query_strings() -> None:
    parser = PaginationParser()
    for page in range(1, PaginationParser.KEPT + 20):
        assert _pages(parser, f"page={page}") == (page, 10)
    assert 0 < len(parser._pages) <= PaginationParser.KEPT


def test_ensure_sync_passes_plain_functions_and_wraps_coroutines() -> None:
    app = LinliFlask("t")

    def plain() -> int:
        return 1

    async def coroutine() -> int:
        return 2

    class View:
        def method(self) -> int:
            return 3

    view = View()
    assert app.ensure_sync(plain) is plain
    assert app.ensure_sync(view.method) == view.method
    # a coroutine still goes to Flask, which needs asgiref (not installed) to wrap it
    with pytest.raises(RuntimeError, match="async"):
        app.ensure_sync(coroutine)


def test_api_requests_do_not_meet_the_rate_limiter(
    app: Flask, client: Any, communities: Communities
) -> None:
    """The limiter's hooks belong to the login and OAuth blueprints only."""
    hooks = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    app_wide = [hook for registry in hooks for hook in registry.get(None, ())]
    assert not any("limiter" in getattr(hook, "__module__", "") for hook in app_wide)
    assert not any("Limiter" in repr(hook) for hook in app_wide)
    for name in ("auth", "oauth"):
        assert any("Limiter" in repr(hook) for hook in app.before_request_funcs[name])
    slug = communities.alpha.ref.slug
    response = client.get(f"/api/v1/t/{slug}/compounds", headers=auth("alpha_admin"))
    assert response.status_code == 200
    assert "X-RateLimit-Limit" not in response.headers


@pytest.mark.postgres
@pytest.mark.parametrize(("who", "role_reads"), [("platform_admin", 0), ("alpha_staff", 3)])
def test_a_tenant_request_begins_its_transaction_with_the_tenant(
    app: Flask,
    client: Any,
    communities: Communities,
    tmp_path: Path,
    who: str,
    role_reads: int,
) -> None:
    """The caller, community and roles are read outside a transaction, one round trip
    each; then ``BEGIN`` and the tenant go in one, the page in one, ``ROLLBACK`` in one;
    all on one connection, taken from the pool once."""
    slug = communities.alpha.ref.slug
    url = f"/api/v1/t/{slug}/compounds"
    assert client.get(url, headers=auth(who)).status_code == 200  # the token's last use
    with wire(app.extensions["linli.db"].engine, tmp_path / "trace") as sent:
        response = client.get(url, headers=auth(who))
    assert response.status_code == 200
    assert sent.checkouts == 1
    reads = 1 + role_reads
    trips = sent.trips
    assert len(trips) == reads + 3
    assert not any(message.startswith("Query") for trip in trips[:reads] for message in trip)
    assert len(trips[reads]) == 1
    assert begins_with_tenant(trips[reads][0], communities.alpha.ref.id)
    assert trips[reads + 1][-1] == "Sync"
    assert trips[reads + 2] == ["Query ROLLBACK"]


def _session_app(interface: Any) -> Flask:
    app = Flask("t")
    app.secret_key = "s"
    app.session_interface = interface

    @app.get("/<action>")
    def act(action: str) -> str:
        if action == "read":
            return str(session.get("n"))
        if action == "write":
            session["n"] = 1
        elif action == "clear":
            session.clear()
        return "ok"

    return app


@pytest.mark.parametrize("action", ["nothing", "read", "write", "clear"])
@pytest.mark.parametrize("cookie", [None, "valid", "forged"])
def test_cookie_sessions_answer_as_flasks(action: str, cookie: str | None) -> None:
    """The same body, cookie and ``Vary`` as Flask's own sessions, with a session
    cookie or without one, whatever the view does with the session."""
    answers = []
    for interface in (SecureCookieSessionInterface(), CookieSessions()):
        client = _session_app(interface).test_client()
        if cookie is not None:
            client.get("/write")
            if cookie == "forged":
                client.set_cookie("session", "eyJuIjoyfQ.forged.signature")
        response = client.get(f"/{action}")
        answers.append((response.data, response.headers.getlist("Set-Cookie"), response.vary))
    assert answers[0] == answers[1]


class CompoundWithExtras(Schema):
    id = fields.UUID()
    name = fields.String()
    label = fields.String(attribute="display_label")  # not a column


def test_a_listing_of_columns_refuses_a_schema_showing_anything_else() -> None:
    from linli.api.pagination import columns_shown
    from linli.residents.models import Compound
    from linli.residents.schemas import CompoundOut

    with pytest.raises(TypeError, match="display_label"):
        columns_shown(Compound, CompoundWithExtras)
    shown = columns_shown(Compound, CompoundOut)
    assert [c["name"] for c in shown.column_descriptions] == ["id", "name", "address", "created_at"]


def test_the_compound_listing_pages_rows_of_its_tenant_and_loads_no_entity(
    app: Flask, communities: Communities
) -> None:
    from flask_smorest.pagination import PaginationParameters

    from linli import db
    from linli.api.pagination import paged
    from linli.residents.api import COMPOUND_LIST
    from linli.tenancy.context import tenant_context

    for community in (communities.alpha, communities.beta):
        with app.app_context(), tenant_context(community.ref):
            session = db.session()
            pages = PaginationParameters(1, 10)
            page = paged(session, COMPOUND_LIST, pages)
            assert [row["id"] for row in page] == community.compounds  # by name, its own only
            assert pages.item_count == len(community.compounds)
            assert set(page[0]) >= {"id", "name", "address", "created_at"}
            assert len(session.identity_map) == 0  # rows, not Compound entities
            beyond = PaginationParameters(3, 10)
            assert paged(session, COMPOUND_LIST, beyond) == []
            assert beyond.item_count == len(community.compounds)
