"""The ``linli`` command on a fresh embedded instance (SQLite).

The first call of each scenario runs the installed ``linli`` executable configured only
by environment variables, as an operator would; repeats run in-process through Flask's
CLI runner on an app built for the same instance, to keep the suite fast.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from flask import Flask
from sqlalchemy import create_engine, inspect, text

from linli import migrate
from linli.app import create_app
from tests.conftest import make_settings

REPO = Path(__file__).resolve().parents[1]
TENANTS_DIR = REPO / "tenants"
LINLI = Path(sys.executable).with_name("linli")


def _run(instance: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``linli ARGS`` from the repository root against ``instance``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("LINLI_")}
    env.update(
        LINLI_INSTANCE_PATH=str(instance),
        LINLI_DATABASE_URL=f"sqlite:///{instance / 'linli.db'}",
        LINLI_SECRET_KEY="cli-test-secret",
    )
    result = subprocess.run(
        [str(LINLI), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    return result


@pytest.fixture
def instance_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """An app of its own on ``tmp_path``; the root logger is put back afterwards, since
    ``create_app`` reconfigures it for the whole process."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    monkeypatch.chdir(REPO)
    app = create_app(make_settings(tmp_path, f"sqlite:///{tmp_path / 'linli.db'}"))
    yield app
    app.extensions["linli.db"].dispose()
    root.handlers[:] = handlers
    root.setLevel(level)


def _invoke(app: Flask, *args: str) -> Result:
    result: Result = app.test_cli_runner().invoke(args=list(args))
    assert result.exception is None, result.output[-2000:]
    return result


def _expected() -> dict[str, dict[str, Any]]:
    """What the demo files describe, read independently of the loader."""
    expected = {}
    for path in sorted(TENANTS_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        compounds = data.get("places", {}).get("compounds", [])
        expected[data["slug"]] = {
            "name": data["name"],
            "bureau": data["bureau"]["slug"],
            "compounds": len(compounds),
            "buildings": sum(len(c.get("buildings", [])) for c in compounds),
            "settings": len(data.get("settings") or {}),
        }
    return expected


def _snapshot(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ordered: the whole state of the instance."""
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            tables = sorted(inspect(connection).get_table_names())
            return {
                table: sorted(
                    (
                        tuple(str(v) for v in row)
                        for row in connection.execute(text(f'SELECT * FROM "{table}"'))
                    ),
                )
                for table in tables
            }
    finally:
        engine.dispose()


def _counts(database: Path) -> dict[str, dict[str, int]]:
    engine = create_engine(f"sqlite:///{database}")
    query = """
        SELECT t.slug,
               (SELECT count(*) FROM compounds c WHERE c.tenant_id = t.id),
               (SELECT count(*) FROM buildings b WHERE b.tenant_id = t.id),
               (SELECT count(*) FROM tenant_settings s WHERE s.tenant_id = t.id)
        FROM tenants t ORDER BY t.slug
    """
    try:
        with engine.connect() as connection:
            return {
                slug: {"compounds": c, "buildings": b, "settings": s}
                for slug, c, b, s in connection.execute(text(query))
            }
    finally:
        engine.dispose()


def test_demo_files_are_the_four_communities() -> None:
    expected = _expected()
    assert sorted(expected) == ["changpu", "fubai", "fuhui", "minghui"]
    assert all(e["compounds"] >= 1 and e["buildings"] >= e["compounds"] for e in expected.values())


def test_linli_executable_is_installed() -> None:
    assert LINLI.is_file(), f"{LINLI} missing: is the project installed in this venv?"


def test_db_upgrade_on_a_fresh_instance(tmp_path: Path, instance_app: Flask) -> None:
    first = _run(tmp_path, "db", "upgrade")
    assert first.returncode == 0, first.stderr[-2000:]
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'linli.db'}")
    heads = migrate.expected_heads(settings)
    assert migrate.current_heads(settings) == heads
    assert first.stdout.strip() == f"database at {', '.join(sorted(heads))}"
    snapshot = _snapshot(tmp_path / "linli.db")
    assert {"bureaus", "tenants", "tenant_settings", "compounds", "buildings"} <= set(snapshot)
    assert all(not rows for table, rows in snapshot.items() if table != "alembic_version")
    # upgrading an up-to-date database is a no-op
    again = _invoke(instance_app, "db", "upgrade")
    assert (again.exit_code, again.output) == (0, first.stdout)
    assert _snapshot(tmp_path / "linli.db") == snapshot
    listing = _invoke(instance_app, "tenants", "list")
    assert (listing.exit_code, listing.output) == (0, "")


TOKEN_LINE = "API token (shown once): "


def _tokens(output: str) -> list[str]:
    return [line.split(TOKEN_LINE, 1)[1] for line in output.splitlines() if TOKEN_LINE in line]


def test_demo_loads_lists_and_is_idempotent(tmp_path: Path, instance_app: Flask) -> None:
    expected = _expected()
    database = tmp_path / "linli.db"
    first = _run(tmp_path, "demo", "--tenants-dir", "tenants")
    assert first.returncode == 0, first.stderr[-2000:]
    assert f"Loaded 4 demo communities: {', '.join(sorted(expected))}" in first.stdout
    counts = _counts(database)
    assert counts == {
        slug: {k: e[k] for k in ("compounds", "buildings", "settings")}
        for slug, e in expected.items()
    }
    # each enabled module seeds its own demo records through the seed_demo hook
    notices = (
        "SELECT t.slug, count(*) FROM noticeboard_notices n"
        " JOIN tenants t ON t.id = n.tenant_id GROUP BY t.slug"
    )
    with create_engine(f"sqlite:///{database}").connect() as connection:
        assert dict(connection.execute(text(notices)).all()) == {"changpu": 1, "fubai": 1}
        # residents at the seeds' scale: 福百 over 5,000; 金辉华府小区 2,443 households
        people = "SELECT t.slug, count(*) FROM residents r JOIN tenants t ON t.id = r.tenant_id"
        residents = dict(connection.execute(text(people + " GROUP BY t.slug")).all())
        jinhui = text(
            "SELECT count(*) FROM households h JOIN rooms r ON r.id = h.room_id"
            " JOIN buildings b ON b.id = r.building_id JOIN compounds c ON c.id = b.compound_id"
            " WHERE c.name = '金辉华府小区'"
        )
        assert connection.execute(jinhui).scalar() == 2_443
    assert residents["fubai"] > 5_000
    assert set(residents) == set(expected)
    listing = _invoke(instance_app, "tenants", "list")
    assert [line.split("\t") for line in listing.output.splitlines()] == [
        [slug, "active", e["bureau"], e["name"]] for slug, e in sorted(expected.items())
    ]
    # the first printed token is the platform admin's, and the API takes it
    tokens = _tokens(first.stdout)
    assert len(tokens) == 4
    admin = {"Authorization": f"Bearer {tokens[0]}"}
    client = instance_app.test_client()
    response = client.get("/api/v1/platform/tenants", headers=admin)
    assert response.status_code == 200, response.data[:300]
    assert sorted(t["slug"] for t in response.get_json()) == sorted(expected)
    places = client.get("/api/v1/t/fubai", headers=admin).get_json()["places"]
    assert places == {k: expected["fubai"][k] for k in ("compounds", "buildings")}

    # a second run reports the same (tokens are shown only when created) and changes nothing
    before = _snapshot(database)
    second = _invoke(instance_app, "demo", "--tenants-dir", "tenants")
    assert _tokens(second.output) == []
    assert second.output.splitlines() == [
        line for line in first.stdout.splitlines() if TOKEN_LINE not in line
    ]
    assert _counts(database) == counts
    after = _snapshot(database)
    tenant_data = ("bureaus", "tenants", "tenant_settings", "compounds", "buildings")
    assert [t for t in tenant_data if before[t] != after[t]] == []
    changed = sorted(table for table in before if before[table] != after.get(table))
    assert not changed, f"a second demo run changed {changed}"  # ids, timestamps, all
