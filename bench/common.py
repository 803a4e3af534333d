"""Shared by the benchmarks: a throw-away PostgreSQL database with Linli's non-owner role."""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
APP_ROLE = "linli_app"


def autocommit(url: str, statement: str) -> None:
    from linli.db import make_engine

    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


@contextmanager
def throwaway_database(prefix: str) -> Iterator[tuple[str, str]]:
    """A new database, dropped afterwards: (owner URL, app-role URL)."""
    name = f"linli_bench_{prefix}_{uuid.uuid4().hex[:8]}"
    autocommit(
        ADMIN_URL,
        f"DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_ROLE}' NOSUPERUSER NOBYPASSRLS; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$",
    )
    autocommit(ADMIN_URL, f'CREATE DATABASE "{name}"')
    owner = make_url(ADMIN_URL).set(database=name)
    app = owner.set(username=APP_ROLE, password=APP_ROLE)
    try:
        yield owner.render_as_string(False), app.render_as_string(False)
    finally:
        autocommit(ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def median_p95_ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95)] * 1000


def add_json_option(parser: argparse.ArgumentParser) -> None:
    """``--json FILE``: also write the figures as JSON, for ``bench/collect.py``."""
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")


def write_json(args: argparse.Namespace, name: str, figures: dict[str, Any]) -> None:
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        document = {"bench": name, **figures}
        args.json.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
