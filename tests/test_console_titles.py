"""Modules' settings fields and bureau figures carry their titles: the JSON Schema the
console generates the settings form from, the form itself, the platform's plugin list,
and the bureau dashboard."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from linli import db
from linli.plugins.manifest import PluginManifest
from linli.plugins.schemas import settings_json_schema
from linli.plugins.statistics import community_figures, figure_columns
from linli.tenancy.models import Tenant
from tests.conftest import Communities, auth
from tests.console_support import console_client

MODULES = ("partners", "canteens", "volunteers", "noticeboard")


def _manifest(app: Flask, name: str) -> PluginManifest:
    manifest: PluginManifest = app.extensions["linli.plugins"].plugins[name]
    return manifest


@pytest.mark.parametrize("name", MODULES)
def test_every_settings_field_has_a_title_and_a_description(app: Flask, name: str) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        properties = settings_json_schema(_manifest(app, name))["properties"]
        assert properties
        untitled = [key for key, spec in properties.items() if not str(spec.get("title", ""))]
        unexplained = [k for k, spec in properties.items() if not str(spec.get("description", ""))]
    assert (untitled, unexplained) == ([], [])


def test_the_settings_form_and_the_plugin_list_show_the_titles(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    admin = console_client(app, "alpha_admin")
    form = admin.get("/console/t/alpha/modules/partners")
    assert form.status_code == 200
    assert '<label for="meeting_rhythm">联席会议频率</label>' in form.text
    assert "共建单位联席会议的频率" in form.text
    english = admin.get("/console/t/alpha/modules/canteens?lang=en").text
    assert '<label for="cutoff_time">Ordering cut-off time</label>' in english
    listed = client.get("/api/v1/platform/plugins?lang=en", headers=auth("platform_admin"))
    plugins = {p["name"]: p for p in listed.get_json()["plugins"]}
    schema = plugins["volunteers"]["settings_schema"]["properties"]
    assert schema["notice_days"]["title"] == "Public notice days"


def test_the_bureau_dashboard_names_each_modules_figures(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    for name in MODULES:
        switched = client.put(
            f"/api/v1/t/alpha/modules/{name}", headers=auth("alpha_admin"), json={"enabled": True}
        )
        assert switched.status_code == 200, switched.get_json()
    with app.app_context():
        alpha = db.session().scalars(select(Tenant).where(Tenant.slug == "alpha")).one()
        columns = figure_columns(list(community_figures(db.session(), [alpha])))
    assert {module for module, _key in columns} == set(MODULES)
    untitled = [(m, key) for m, key in columns if key not in _manifest(app, m).figure_titles]
    assert untitled == []
    page = console_client(app, "bureau_yinxi").get("/console/bureau/dashboard?lang=en")
    assert page.status_code == 200
    with app.test_request_context(headers={"Accept-Language": "en"}):
        shown = [str(_manifest(app, m).figure_titles[key]) for m, key in columns]
    assert [title for title in shown if title not in page.text] == []
