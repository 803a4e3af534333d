"""Probes: alive while the process lives; ready while the database answers."""

from __future__ import annotations

from pathlib import Path

from linli.app import create_app
from tests.conftest import make_settings


def test_database_down_is_not_ready_but_alive(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "postgresql+psycopg://linli_app@127.0.0.1:1/nowhere")
    client = create_app(settings).test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["code"] == "database_unavailable"
    listed = client.get("/api/v1/t/alpha/compounds", headers={"Authorization": "Bearer lin_pat_x"})
    assert listed.status_code == 503
    assert listed.get_json()["code"] == "database_unavailable"


def test_ready_reports_redis_without_depending_on_it(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'linli.db'}")
    client = create_app(settings.with_overrides(redis_url="redis://127.0.0.1:6379/0")).test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": "ok", "redis": "ok"}
