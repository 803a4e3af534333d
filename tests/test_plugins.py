"""The plugin contract: discovery, broken plugins, per-community modules, onboarding,
declarative apply, export before offboarding — on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.metadata
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from linli import db
from linli.app import create_app
from linli.config import Settings
from linli.identity.models import User
from linli.outbox.models import OutboxMessage
from linli.plugins.registry import discover
from linli.tenancy.files import TenantFileError, apply_tenant_files, read_tenant_files
from linli.tenancy.models import Tenant
from tests.conftest import AUTH, Communities, auth, problem

NOTICES = "/api/v1/t/alpha/noticeboard/notices"


def _enable(client: FlaskClient, slug: str = "alpha", **settings: Any) -> Any:
    return client.put(
        f"/api/v1/t/{slug}/modules/noticeboard",
        headers=auth("alpha_admin" if slug == "alpha" else "beta_admin"),
        json={"enabled": True, "settings": settings},
    )


def test_catalogue_lists_installed_plugins_with_json_schema(
    client: FlaskClient, communities: Communities
) -> None:
    body = client.get("/api/v1/platform/plugins", headers=AUTH).get_json()
    board = next(p for p in body["plugins"] if p["name"] == "noticeboard")
    assert board["title"] == "公告栏"
    assert board["default_settings"] == {"max_pinned": 3, "days_visible": 30, "keep_days": 180}
    assert board["settings_schema"]["properties"]["max_pinned"]["maximum"] == 10
    assert "noticeboard.editor" in board["roles"]
    assert body["broken"] == []


def test_module_off_by_default_and_404_on_every_endpoint(
    client: FlaskClient, communities: Communities
) -> None:
    states = client.get("/api/v1/t/alpha/modules", headers=auth("alpha_admin")).get_json()
    enabled = {s["name"]: s["enabled"] for s in states}
    assert enabled["noticeboard"] is False
    assert not any(enabled.values())
    for method, url in (("get", NOTICES), ("post", NOTICES), ("get", f"{NOTICES}/{uuid.uuid4()}")):
        response = getattr(client, method)(url, headers=auth("alpha_admin"), json={})
        assert response.status_code == 404
        assert problem(response)["code"] == "module_not_enabled"


def test_enable_disable_keeps_data_and_reenable_brings_it_back(
    client: FlaskClient, communities: Communities
) -> None:
    assert _enable(client).status_code == 200
    posted = client.post(
        NOTICES, headers=auth("alpha_admin"), json={"title": "停水通知", "body": "周三停水"}
    )
    assert posted.status_code == 201
    off = client.patch(
        "/api/v1/t/alpha/modules/noticeboard", headers=auth("alpha_admin"), json={"enabled": False}
    )
    assert off.get_json()["enabled"] is False
    assert client.get(NOTICES, headers=auth("alpha_admin")).status_code == 404
    assert _enable(client).status_code == 200
    titles = [n["title"] for n in client.get(NOTICES, headers=auth("alpha_admin")).get_json()]
    assert titles == ["停水通知"]


def test_enablement_is_per_community(client: FlaskClient, communities: Communities) -> None:
    _enable(client)
    assert (
        client.get("/api/v1/t/beta/noticeboard/notices", headers=auth("beta_admin")).status_code
        == 404
    )
    assert client.get(NOTICES, headers=auth("alpha_admin")).status_code == 200


def test_invalid_settings_are_422_with_the_fields(
    client: FlaskClient, communities: Communities
) -> None:
    response = _enable(client, max_pinned=99, days_visible="soon", colour="red")
    body = problem(response)
    assert response.status_code == 422
    assert set(body["errors"]["json"]["settings"]) == {"max_pinned", "days_visible", "colour"}
    states = client.get("/api/v1/t/alpha/modules", headers=auth("alpha_admin")).get_json()
    assert states[0]["enabled"] is False


def test_settings_merge_on_patch_and_rules_apply(
    client: FlaskClient, communities: Communities
) -> None:
    _enable(client, max_pinned=1)
    patched = client.patch(
        "/api/v1/t/alpha/modules/noticeboard",
        headers=auth("alpha_admin"),
        json={"settings": {"days_visible": 7}},
    )
    assert patched.get_json()["settings"] == {"max_pinned": 1, "days_visible": 7, "keep_days": 180}
    first = client.post(
        NOTICES, headers=auth("alpha_admin"), json={"title": "a", "body": "b", "pinned": True}
    )
    assert first.status_code == 201
    second = client.post(
        NOTICES, headers=auth("alpha_admin"), json={"title": "c", "body": "d", "pinned": True}
    )
    assert second.status_code == 409
    assert problem(second)["code"] == "too_many_pinned"
    # The title comes from the plugin's own catalogue, merged over the core's.
    assert problem(second)["title"] == "置顶公告数量已达上限"


def test_module_settings_need_the_admin_and_plugin_roles_work(
    client: FlaskClient, communities: Communities
) -> None:
    denied = client.put(
        "/api/v1/t/alpha/modules/noticeboard", headers=auth("alpha_staff"), json={"enabled": True}
    )
    assert denied.status_code == 403
    _enable(client)
    assert client.get(NOTICES, headers=auth("alpha_staff")).status_code == 403
    staff_id = next(
        m["user_id"]
        for m in client.get("/api/v1/t/alpha/members", headers=auth("alpha_admin")).get_json()
        if m["roles"] == ["staff"]
    )
    granted = client.patch(
        f"/api/v1/t/alpha/members/{staff_id}",
        headers=auth("alpha_admin"),
        json={"roles": ["staff", "noticeboard.editor"]},
    )
    assert granted.status_code == 200
    assert client.get(NOTICES, headers=auth("alpha_staff")).status_code == 200


def test_notice_for_a_foreign_compound_is_404(
    client: FlaskClient, communities: Communities
) -> None:
    _enable(client)
    foreign = str(communities.beta.compounds[0])
    response = client.post(
        NOTICES,
        headers=auth("alpha_admin"),
        json={"title": "t", "body": "b", "compound_id": foreign},
    )
    assert response.status_code == 404


def test_onboarding_with_modules_and_first_admin_in_one_step(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    response = client.post(
        "/api/v1/platform/tenants",
        headers=AUTH,
        json={
            "slug": "delta",
            "name": "新社区",
            "bureau": "yinxi",
            "modules": {"noticeboard": {"settings": {"max_pinned": 5}}},
            "admins": [{"email": "new-admin@linli.test", "name": "新管理员"}],
        },
    )
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        session = db.session()
        invitation = session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "new-admin@linli.test")
        ).one()
        assert "/auth/password-reset/" in invitation.body
    modules = client.get("/api/v1/t/delta/modules", headers=AUTH).get_json()
    board = next(m for m in modules if m["name"] == "noticeboard")
    assert board["enabled"] is True
    assert board["settings"]["max_pinned"] == 5


@pytest.mark.parametrize(
    "modules",
    [{"noticeboard": {"settings": {"max_pinned": 50}}}, {"no_such_module": {}}],
)
def test_failed_onboarding_leaves_nothing_behind(
    app: Flask, client: FlaskClient, communities: Communities, modules: dict[str, Any]
) -> None:
    response = client.post(
        "/api/v1/platform/tenants",
        headers=AUTH,
        json={
            "slug": "delta",
            "name": "新社区",
            "bureau": "yinxi",
            "admins": [{"email": "ghost@linli.test", "name": "幽灵"}],
            "modules": modules,
        },
    )
    assert response.status_code in (404, 422)
    with app.app_context():
        session = db.session()
        assert (
            session.scalar(select(func.count()).select_from(Tenant).where(Tenant.slug == "delta"))
            == 0
        )
        assert (
            session.scalar(
                select(func.count()).select_from(User).where(User.email == "ghost@linli.test")
            )
            == 0
        )
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_offboarding_needs_suspension_then_an_export(
    client: FlaskClient, communities: Communities
) -> None:
    _enable(client)
    client.post(NOTICES, headers=auth("alpha_admin"), json={"title": "留档", "body": "x"})
    person = {"name": "存档居民", "purpose": "社区服务", "phone": "13800001111"}
    client.post("/api/v1/t/alpha/residents", headers=auth("alpha_admin"), json=person)
    base = "/api/v1/platform/tenants/alpha"
    assert problem(client.delete(base, headers=AUTH))["code"] == "suspend_first"
    client.post(f"{base}/export", headers=AUTH)
    client.post(f"{base}/suspend", headers=AUTH)
    assert problem(client.delete(base, headers=AUTH))["code"] == "export_required"
    archive = client.post(f"{base}/export", headers=AUTH).get_json()
    assert archive["format"] == "linli-tenant-export/1"
    assert len(archive["compounds"]) == 2
    assert len(archive["buildings"]) == 4
    assert set(archive["registry"]) >= {"units", "rooms", "grids", "households", "residents"}
    residents = archive["registry"]["residents"]
    assert [(r["name"], r["phone"], r["phone_masked"]) for r in residents] == [
        ("存档居民", "13800001111", "138****1111")
    ]
    assert [n["title"] for n in archive["modules"]["noticeboard"]["notices"]] == ["留档"]
    assert {m["roles"][0] for m in archive["members"]} == {"community_admin", "staff"}
    assert client.delete(base, headers=AUTH).status_code == 204
    assert client.get(base, headers=AUTH).status_code == 404
    assert client.get("/api/v1/t/beta/compounds", headers=auth("beta_admin")).status_code == 200


def _write(folder: Path, slug: str, extra: str = "") -> None:
    (folder / f"{slug}.yaml").write_text(
        f"slug: {slug}\nname: 测试{slug}\nbureau: {{slug: yinxi, name: 音西街道}}\n{extra}",
        encoding="utf-8",
    )


def test_apply_dry_run_changes_nothing_and_apply_is_idempotent(
    app: Flask, communities: Communities, tmp_path: Path
) -> None:
    _write(tmp_path, "epsilon", "modules: {noticeboard: {settings: {days_visible: 9}}}\n")
    with app.app_context():
        files = read_tenant_files(tmp_path, app.extensions["linli.plugins"])
        session = db.database().sessions()
        dry = apply_tenant_files(session, files)
        session.rollback()
        assert "+ tenant epsilon" in dry.lines
        assert db.session().scalar(select(Tenant.id).where(Tenant.slug == "epsilon")) is None
        with db.database().session_scope() as session:
            assert apply_tenant_files(session, files).lines == dry.lines
        with db.database().session_scope() as session:
            assert apply_tenant_files(session, files).lines == []


def test_apply_validates_every_file_before_applying(
    app: Flask, communities: Communities, tmp_path: Path
) -> None:
    _write(tmp_path, "good")
    _write(tmp_path, "bad", "modules: {noticeboard: {settings: {max_pinned: -1}}}\nnmae: typo\n")
    with app.app_context(), pytest.raises(TenantFileError) as raised:
        read_tenant_files(tmp_path, app.extensions["linli.plugins"])
    assert "bad.yaml" in str(raised.value)
    assert "nmae" in str(raised.value)


def test_broken_plugins_are_reported_and_the_rest_serve(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, communities: Communities
) -> None:
    real = list(importlib.metadata.entry_points(group="linli.plugins"))
    fakes = [
        importlib.metadata.EntryPoint("ghost", "no_such_package.manifest:plugin", "linli.plugins"),
        importlib.metadata.EntryPoint("notamanifest", "linli.config:Settings", "linli.plugins"),
    ]

    def entry_points(**kwargs: Any) -> list[importlib.metadata.EntryPoint]:
        return real + fakes if kwargs.get("group") == "linli.plugins" else []

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    app = create_app(settings)
    client = app.test_client()
    body = client.get("/api/v1/platform/plugins", headers=AUTH).get_json()
    names = [p["name"] for p in body["plugins"]]
    assert "noticeboard" in names
    assert not {"ghost", "notamanifest"} & set(names)
    reasons = {b["name"]: b["reason"] for b in body["broken"]}
    assert "ModuleNotFoundError" in reasons["ghost"]
    assert "PluginManifest" in reasons["notamanifest"] or "must match" in reasons["notamanifest"]
    assert client.get("/api/v1/t/alpha/compounds", headers=auth("alpha_admin")).status_code == 200


def test_allowlist_leaves_other_plugins_out(settings: Settings, communities: Communities) -> None:
    assert list(discover(()).plugins) == []
    app = create_app(settings.with_overrides(plugins=()))
    client = app.test_client()
    assert client.get("/api/v1/platform/plugins", headers=AUTH).get_json()["plugins"] == []
    assert client.get(NOTICES, headers=auth("alpha_admin")).status_code == 404


def test_cli_apply_dry_run_then_apply_then_nothing(
    app: Flask, communities: Communities, tmp_path: Path
) -> None:
    _write(tmp_path, "zeta", "modules: {noticeboard: {enabled: true}}\n")
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["tenants", "apply", str(tmp_path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "+ tenant zeta" in dry.output
    assert "would change" in dry.output
    with app.app_context():
        assert db.session().scalar(select(Tenant.id).where(Tenant.slug == "zeta")) is None
    real = runner.invoke(args=["tenants", "apply", str(tmp_path)])
    assert real.output.splitlines()[:-1] == dry.output.splitlines()[:-1]
    again = runner.invoke(args=["tenants", "apply", str(tmp_path)])
    assert again.output.strip() == "1 files, changed 0 things"
    broken = tmp_path / "bad.yaml"
    broken.write_text("slug: Bad Slug\n", encoding="utf-8")
    refused = runner.invoke(args=["tenants", "apply", str(tmp_path)])
    assert refused.exit_code != 0
    assert "bad.yaml" in refused.output


def test_prune_offboards_only_archived_communities_without_a_file(
    app: Flask, communities: Communities, tmp_path: Path
) -> None:
    _write(tmp_path, "alpha")
    runner = app.test_cli_runner()
    kept = runner.invoke(args=["tenants", "apply", str(tmp_path)])
    assert kept.exit_code == 0, kept.output
    with app.app_context():
        assert db.session().scalar(select(Tenant.id).where(Tenant.slug == "beta")) is not None
    refused = runner.invoke(args=["tenants", "apply", str(tmp_path), "--prune"])
    assert refused.exit_code != 0  # beta and gamma have no file but were never archived
    client = app.test_client()
    for slug in ("beta", "gamma"):
        if slug == "beta":
            client.post(f"/api/v1/platform/tenants/{slug}/suspend", headers=AUTH)
        client.post(f"/api/v1/platform/tenants/{slug}/export", headers=AUTH)
    pruned = runner.invoke(args=["tenants", "apply", str(tmp_path), "--prune"])
    assert pruned.exit_code == 0, pruned.output
    assert "- tenant beta" in pruned.output
    assert "- tenant gamma" in pruned.output
    with app.app_context():
        slugs = set(db.session().scalars(select(Tenant.slug)))
    assert slugs == {"alpha"}


def test_a_me_blueprint_must_live_under_the_callers_own_routes() -> None:
    from dataclasses import replace

    from linli.api.smorest import Blueprint
    from linli.plugins.manifest import manifest_problems
    from plugins.noticeboard.manifest import plugin as board

    assert manifest_problems(board) == []
    good = Blueprint("board_me", __name__, url_prefix="/api/v1/me/noticeboard")
    assert manifest_problems(replace(board, me_blueprint=good)) == []
    stray = Blueprint("board_stray", __name__, url_prefix="/api/v1/me/other")
    assert "me_blueprint url_prefix" in manifest_problems(replace(board, me_blueprint=stray))[0]
    tenant_scoped = replace(board, me_blueprint=board.blueprint)
    assert "outside the tenant routes" in manifest_problems(tenant_scoped)[0]
