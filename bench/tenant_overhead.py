"""What the tenancy wall and the full request path cost, at 10 and at 10,000 tenants.

One run, on the real PostgreSQL at 127.0.0.1:5432 (user postgres, trust):

1. makes sure the non-owner role ``linli_app`` exists (so row-level security binds the
   app), then creates one throw-away database per dataset, runs Linli's migrations in
   it and loads it with ``COPY`` as the owner: 10 tenants, and 10,000 tenants, of 20
   compounds each; a platform admin and their personal access token are created too;
2. starts, for each dataset, three gunicorn servers (``-w 2``, sync workers, on free
   loopback ports) that all answer "the first 20 compounds of tenant N by name":

   (a) BARE: a tiny Flask app in this file, SQLAlchemy Core, connected as the owner;
   (b) TENANCY LAYER: the same tiny app, but an ORM query on ``Compound`` through a
       ``linli.db.Database`` session inside ``tenant_context``, connected as
       ``linli_app`` (RLS + ``set_config`` per transaction + ``with_loader_criteria``);
   (c) FULL PATH: the real ``linli.wsgi:app``, ``GET /api/v1/t/<slug>/compounds``
       with the bearer token (token auth, tenant lookup and roles, schema,
       pagination and its count query);

3. loads each with ``wrk`` (3 s measured, after 2 s of warm-up the first time and 1 s
   later), each request for a tenant drawn at random by a Lua script, in rounds (10)
   of a@10, b@10, c@10, a@10k, b@10k, c@10k: a ratio is the median of its rounds'
   ratios, each made of runs seconds apart; prints req/s, the ratios and PASS/FAIL
   against the targets; the results also go to ``bench/results/tenant_overhead.json``.

Every app is built the way ``linli.wsgi`` builds the real one, ``gc.freeze()`` included.

The machine may be shared: every run counts the CPU that went to processes other than
this bench's (gunicorn, its PostgreSQL backends, wrk) and is repeated when that share
was over ``--max-foreign-cpu``; a figure still disturbed after ``--retries`` is marked.

Servers and databases are removed on success, error and Ctrl-C. A missed target is
reported, not an error: the exit status is 0 unless something failed (1), wrk is
missing (2) or the run was interrupted (130).

    .venv/bin/python bench/tenant_overhead.py             # full run, 5 minutes when quiet
    .venv/bin/python bench/tenant_overhead.py --quick     # smoke test, under a minute

This module is also what gunicorn loads for (a) and (b): ``make_bench_app()`` reads
``BENCH_MODE`` and ``BENCH_DATABASE_URL``. Linli is imported lazily so that the bare
app runs without any of it.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import http.client
import ipaddress
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO / "bench"
RESULTS_FILE = BENCH_DIR / "results" / "tenant_overhead.json"
PG_URL = os.environ.get(
    "LINLI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
APP_ROLE = "linli_app"
DATASETS = (10, 10_000)
ROWS_PER_TENANT = 20
PAGE_SIZE = 20
WORKERS = 2
WRK_THREADS = 2
WRK_MISSING = "wrk is not installed; install it with:  apt-get update && apt-get install -y wrk"

TARGET_TENANCY = 0.8  # (b) ≥ 0.8 × (a)
TARGET_FULL = 0.5  # (c) ≥ 0.5 × (a)
TARGET_SCALE = 0.9  # 10,000 tenants ≥ 0.9 × 10 tenants, per app

# The slug of tenant N; the same printf format is used by Python and by the Lua script.
SLUG_FORMAT = "c%05d"


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    path_format: str  # printf format of the request path, given the tenant id

    @property
    def app(self) -> str:
        return self.key


# flask-smorest's default page is 10 rows: the full path asks for 20 like the others.
VARIANTS = (
    Variant("bare", "(a) bare Core", "/bare/%d"),
    Variant("tenancy", "(b) tenancy layer", "/tenancy/%d"),
    Variant("full", "(c) full path", f"/api/v1/t/{SLUG_FORMAT}/compounds?page_size={PAGE_SIZE}"),
)
APPS = tuple(v.app for v in VARIANTS)

# One tenant id drawn at random for every request (not per connection): gunicorn's sync
# workers close the connection after each response anyway, and a per-request draw
# spreads the load over the whole tenants table and compounds index.
WRK_SCRIPT = r"""
local tenants, path_format = 10, "/"
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_no", threads)
end

function init(args)
  tenants = tonumber(args[1])
  path_format = args[2]
  math.randomseed(os.time() * 7919 + (thread_no or 0) * 104729)
  for _ = 1, 10 do math.random() end
end

function request()
  return wrk.format("GET", string.format(path_format, math.random(tenants)))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
"""


def slug_of(tenant_id: int) -> str:
    return SLUG_FORMAT % tenant_id


# --------------------------------------------------------------------------------------
# The apps gunicorn serves for (a) and (b)
# --------------------------------------------------------------------------------------


def _compound_json(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "address": row.address,
        "created_at": row.created_at.isoformat(),
    }


def make_bench_app() -> Any:
    """The Flask app of variant (a) or (b), as ``BENCH_MODE`` says."""
    from flask import Flask

    mode = os.environ["BENCH_MODE"]
    url = os.environ["BENCH_DATABASE_URL"]
    app = Flask("tenant_overhead")
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # as Linli does
    if mode == "bare":
        _add_bare_route(app, url)
    elif mode == "tenancy":
        _add_tenancy_route(app, url)
    else:
        raise ValueError(f"unknown BENCH_MODE {mode!r}")
    gc.freeze()  # as linli.wsgi does once the app is built; both apps alike
    return app


def _add_bare_route(app: Any, url: str) -> None:
    from sqlalchemy import (
        Column,
        DateTime,
        Integer,
        MetaData,
        String,
        Table,
        Uuid,
        bindparam,
        create_engine,
        select,
    )

    compounds = Table(
        "compounds",
        MetaData(),
        Column("tenant_id", Integer, primary_key=True),
        Column("id", Uuid, primary_key=True),
        Column("name", String(200)),
        Column("address", String(500)),
        Column("created_at", DateTime(timezone=True)),
        Column("updated_at", DateTime(timezone=True)),
    )
    engine = create_engine(url)
    query = (
        select(compounds)
        .where(compounds.c.tenant_id == bindparam("tenant_id"))
        .order_by(compounds.c.name)
        .limit(PAGE_SIZE)
    )

    @app.get("/bare/<int:tenant_id>")
    def bare(tenant_id: int) -> list[dict[str, Any]]:
        with engine.connect() as connection:
            rows = connection.execute(query, {"tenant_id": tenant_id}).all()
        return [_compound_json(row) for row in rows]


def _add_tenancy_route(app: Any, url: str) -> None:
    from sqlalchemy import select

    import linli.models  # noqa: F401  (the whole metadata, as the real app has it)
    from linli.db import Database
    from linli.residents.models import Compound
    from linli.tenancy.context import TenantRef, tenant_context

    database = Database(url)
    query = select(Compound).order_by(Compound.name).limit(PAGE_SIZE)  # no tenant filter here

    @app.get("/tenancy/<int:tenant_id>")
    def tenancy(tenant_id: int) -> list[dict[str, Any]]:
        with (
            tenant_context(TenantRef(tenant_id, slug_of(tenant_id))),
            database.sessions() as session,
        ):
            return [_compound_json(row) for row in session.scalars(query)]


# --------------------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------------------


class BenchError(RuntimeError):
    """Something failed: the run cannot give figures."""


@dataclass
class Server:
    app: str  # "bare", "tenancy" or "full"
    tenants: int
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    measured: bool = False

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


@dataclass
class Dataset:
    """One throw-away database holding one dataset, and the servers reading it."""

    tenants: int
    name: str
    admin_url: str
    app_url: str
    token: str = ""
    load_seconds: float = 0.0
    servers: dict[str, Server] = field(default_factory=dict)


@dataclass
class Measurement:
    rps: float
    requests: int
    seconds: float
    latency_ms: dict[str, float]
    socket_errors: int
    foreign_cpu: float = 0.0  # share of the machine's CPU used by processes not ours
    attempts: int = 1


@dataclass
class Options:
    duration: float
    warmup: float
    connections: int
    rounds: int
    quick: bool
    max_foreign: float = 0.05
    retries: int = 4


@dataclass
class Bench:
    options: Options
    wrk: str
    gunicorn: str
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    workdir: Path = field(init=False)

    def __post_init__(self) -> None:
        self.workdir = Path(self.stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        (self.workdir / "wrk.lua").write_text(WRK_SCRIPT, encoding="utf-8")

    # -- databases ---------------------------------------------------------------------

    def create_dataset(self, tenants: int) -> Dataset:
        """A migrated throw-away database (dropped at exit) holding ``tenants`` tenants."""
        from sqlalchemy.engine import make_url

        from linli import migrate

        name = f"linli_bench_{uuid.uuid4().hex[:10]}"
        _autocommit(PG_URL, f'CREATE DATABASE "{name}"')
        _OUR_DATABASES.add(name)
        self.stack.callback(_drop_database, name)
        admin = make_url(PG_URL).set(database=name)
        dataset = Dataset(
            tenants,
            name,
            admin.render_as_string(hide_password=False),
            admin.set(username=APP_ROLE, password=APP_ROLE).render_as_string(hide_password=False),
        )
        settings = self.settings(dataset)
        started = time.perf_counter()
        migrate.upgrade(settings)
        migrated = time.perf_counter() - started
        dataset.token = _platform_admin_token(settings)
        dataset.load_seconds = self.load(dataset)
        print(
            f"database {name}: migrated in {migrated:.1f} s, {tenants:,} tenants × "
            f"{ROWS_PER_TENANT} compounds loaded in {dataset.load_seconds:.1f} s",
            flush=True,
        )
        return dataset

    def env(self, dataset: Dataset) -> dict[str, str]:
        """The ``LINLI_*`` environment of the real app on ``dataset``."""
        return {
            "LINLI_DATABASE_URL": dataset.app_url,
            "LINLI_DATABASE_ADMIN_URL": dataset.admin_url,
            "LINLI_LOG_LEVEL": "WARNING",
            "LINLI_INSTANCE_PATH": str(self.workdir / "instance"),
            "LINLI_SECRET_KEY": "bench-" + dataset.name,
        }

    def settings(self, dataset: Dataset) -> Any:
        from linli.config import Settings

        return Settings.from_env(self.env(dataset))

    def load(self, dataset: Dataset) -> float:
        """Fill ``dataset`` with its tenants of ROWS_PER_TENANT compounds each (COPY)."""
        import psycopg

        started = time.perf_counter()
        now = datetime.now(UTC)
        with psycopg.connect(_conninfo(dataset.admin_url)) as conn, conn.cursor() as cur:
            cur.execute(
                "INSERT INTO bureaus (id, slug, name, city, created_at, updated_at) "
                "VALUES (1, 'bench', '基准街道', '福清市', %s, %s)",
                (now, now),
            )
            columns = "id, slug, name, name_en, bureau_id, status, locale, created_at, updated_at"
            with cur.copy(f"COPY tenants ({columns}) FROM STDIN") as copy:
                for t in range(1, dataset.tenants + 1):
                    copy.write_row(
                        (t, slug_of(t), f"基准社区{t}", None, 1, "active", "zh_CN", now, now)
                    )
            columns = "tenant_id, id, name, address, created_at, updated_at"
            with cur.copy(f"COPY compounds ({columns}) FROM STDIN") as copy:
                for t in range(1, dataset.tenants + 1):
                    for i in range(ROWS_PER_TENANT):
                        # names in an order unrelated to insertion, unique per tenant
                        name = f"{_NAMES[(i * 7 + t) % len(_NAMES)]}{i + 1:02d}号小区"
                        address = f"福清市音西街道{t}号路{i + 1}号"
                        copy.write_row((t, uuid.uuid4(), name, address, now, now))
            for table in ("tenants", "bureaus"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        with psycopg.connect(_conninfo(dataset.admin_url), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        return time.perf_counter() - started

    # -- servers -----------------------------------------------------------------------

    def start_server(self, dataset: Dataset, app: str) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LINLI_", "BENCH_"))}
        if app == "full":
            spec = "linli.wsgi:app"
            env |= self.env(dataset)
        else:
            spec = "tenant_overhead:make_bench_app()"
            env |= {
                "BENCH_MODE": app,
                "BENCH_DATABASE_URL": dataset.admin_url if app == "bare" else dataset.app_url,
            }
        port = _free_port()
        log = self.workdir / f"gunicorn-{app}-{dataset.tenants}.log"
        command = [
            self.gunicorn,
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--pythonpath",
            str(BENCH_DIR),
            "--log-level",
            "warning",
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            spec,
        ]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us, and we stop it in order
            )
        server = Server(app, dataset.tenants, port, process, log)
        self.stack.callback(_stop_server, server)  # runs before the databases are dropped
        return server

    def wait_ready(self, server: Server, variant: Variant, token: str) -> list[Any]:
        """Poll until the server answers the benchmarked request; return the page."""
        deadline = time.monotonic() + 30.0
        path = variant.path_format % min(3, server.tenants)
        while True:
            if server.process.poll() is not None:
                raise BenchError(
                    f"gunicorn for {variant.label} exited "
                    f"({server.process.returncode}):\n{server.log_tail()}"
                )
            try:
                status, body = _get(server.port, path, token)
            except OSError:
                status, body = 0, b""
            if status == 200:
                page: list[Any] = json.loads(body)
                return page
            if status and status != 503:
                raise BenchError(
                    f"{variant.label}: GET {path} answered {status}: {body[:300]!r}\n"
                    f"{server.log_tail()}"
                )
            if time.monotonic() > deadline:
                raise BenchError(f"{variant.label} not ready after 30 s\n{server.log_tail()}")
            time.sleep(0.2)

    # -- load --------------------------------------------------------------------------

    def wrk_run(self, server: Server, variant: Variant, token: str, seconds: float) -> Measurement:
        command = [
            self.wrk,
            "--threads",
            str(WRK_THREADS),
            "--connections",
            str(self.options.connections),
            "--duration",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "5s",
            "--script",
            str(self.workdir / "wrk.lua"),
            "--header",
            f"Authorization: Bearer {token}",
            server.base,
            "--",
            str(server.tenants),
            variant.path_format,
        ]
        ours = [server.process.pid, *_children(server.process.pid), *_backend_pids()]
        before = _CpuSnapshot.take(ours)
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        foreign = before.foreign_share(_CpuSnapshot.take(ours))
        line = next(
            (x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")),
            None,
        )
        if done.returncode != 0 or line is None:
            raise BenchError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        data = json.loads(line.removeprefix("BENCH_JSON "))
        errors = data["errors"]
        if errors["status"] or errors["timeout"]:
            raise BenchError(
                f"{variant.label}: {errors['status']} non-2xx responses and "
                f"{errors['timeout']} timeouts in {data['requests']} requests\n{server.log_tail()}"
            )
        socket_errors = errors["connect"] + errors["read"] + errors["write"]
        if socket_errors > 0.01 * max(1, data["requests"]):
            raise BenchError(f"{variant.label}: {socket_errors} socket errors: {errors}")
        elapsed = data["duration_us"] / 1e6
        lat = data["latency_us"]
        return Measurement(
            rps=data["requests"] / elapsed,
            requests=data["requests"],
            seconds=elapsed,
            latency_ms={k: round(lat[k] / 1000, 2) for k in ("mean", "p50", "p90", "p99", "max")},
            socket_errors=socket_errors,
            foreign_cpu=foreign,
        )

    def measure(self, server: Server, variant: Variant, token: str) -> Measurement:
        """Warm up and measure; again (up to --retries) when other processes took CPU.

        The machine may be shared (other sessions run test suites on it): a run during
        which more than --max-foreign-cpu of the CPU went to processes that are not this
        bench's is repeated after waiting for a quiet moment; the least disturbed is kept.
        """
        runs: list[Measurement] = []
        for attempt in range(1, self.options.retries + 2):
            _wait_for_quiet(self.options.max_foreign)
            # a server already measured only needs its connections and caches back
            warmup = min(1.0, self.options.warmup) if server.measured else self.options.warmup
            self.wrk_run(server, variant, token, warmup)
            m = self.wrk_run(server, variant, token, self.options.duration)
            server.measured = True
            m.attempts = attempt
            runs.append(m)
            if m.foreign_cpu <= self.options.max_foreign:
                break
            print(
                f"   {variant.label:<18} {server.tenants:>6,} tenants {m.rps:>9,.1f} req/s   "
                f"discarded: {m.foreign_cpu:.0%} of the CPU went to other processes",
                flush=True,
            )
        return min(runs, key=lambda m: m.foreign_cpu)

    def run(self) -> dict[str, Any]:
        _autocommit(
            PG_URL,
            f"DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_ROLE}' "
            "NOSUPERUSER NOBYPASSRLS; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        )
        datasets = [self.create_dataset(n) for n in DATASETS]
        for dataset in datasets:
            for app in APPS:
                dataset.servers[app] = self.start_server(dataset, app)
        for dataset in datasets:
            pages = {
                v.key: self.wait_ready(dataset.servers[v.app], v, dataset.token) for v in VARIANTS
            }
            _check_same_page(pages)
        # A dataset's a-b-c runs follow each other, so each round's b/a and c/a compare
        # runs seconds apart: this machine's speed drifts by tens of per cent over
        # minutes (other virtual machines on the host), which no process here shows.
        measured: dict[tuple[int, str], list[Measurement]] = {}
        for round_no in range(self.options.rounds):
            for dataset in datasets:
                for variant in VARIANTS:
                    server = dataset.servers[variant.app]
                    m = self.measure(server, variant, dataset.token)
                    measured.setdefault((dataset.tenants, variant.key), []).append(m)
                    tag = f"  round {round_no + 1}" if self.options.rounds > 1 else ""
                    flag = "  DISTURBED" if m.foreign_cpu > self.options.max_foreign else ""
                    print(
                        f"   {variant.label:<18} {dataset.tenants:>6,} tenants "
                        f"{m.rps:>9,.1f} req/s   p50 {m.latency_ms['p50']:.1f} ms  "
                        f"p99 {m.latency_ms['p99']:.1f} ms  "
                        f"foreign CPU {m.foreign_cpu:.1%}{tag}{flag}",
                        flush=True,
                    )
        out: dict[str, Any] = {}
        for dataset in datasets:
            variants: dict[str, Any] = {}
            for variant in VARIANTS:
                runs = measured[(dataset.tenants, variant.key)]
                median = sorted(runs, key=lambda m: m.rps)[len(runs) // 2]
                variants[variant.key] = {
                    "rps": round(statistics.median(m.rps for m in runs), 1),
                    "rounds_rps": [round(m.rps, 1) for m in runs],
                    "requests": median.requests,
                    "seconds": round(median.seconds, 2),
                    "latency_ms": median.latency_ms,
                    "socket_errors": sum(m.socket_errors for m in runs),
                    "foreign_cpu": [round(m.foreign_cpu, 3) for m in runs],
                    "attempts": [m.attempts for m in runs],
                    "disturbed": any(m.foreign_cpu > self.options.max_foreign for m in runs),
                }
            out[str(dataset.tenants)] = {
                "tenants": dataset.tenants,
                "load_seconds": round(dataset.load_seconds, 2),
                "variants": variants,
            }
        return {"datasets": out}


_NAMES = ("福百", "菖蒲", "福汇", "明辉", "音西", "临江", "龙山", "玉屏", "宏路", "石竹", "海口")


def _platform_admin_token(settings: Any) -> str:
    """A personal access token of a platform admin: what the full path authenticates."""
    from linli import db
    from linli.app import create_app
    from linli.identity.services import create_token, create_user

    app = create_app(settings)
    with app.app_context(), db.database().session_scope() as session:
        user = create_user(
            session, {"display_name": "bench", "email": "bench@linli.cn", "is_platform_admin": True}
        )
        return create_token(session, user, "bench", ["read"], None).token


def _get(port: int, path: str, token: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _backend_pids() -> list[int]:
    """The PostgreSQL backends serving the bench databases (all of them are ours)."""
    import psycopg

    with psycopg.connect(_conninfo(PG_URL)) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = ANY(%s)", (list(_OUR_DATABASES),)
        ).fetchall()
    return [int(row[0]) for row in rows]


_OUR_DATABASES: set[str] = set()


def _check_same_page(pages: dict[str, list[Any]]) -> None:
    """All three must serve the same page, or the comparison is meaningless."""
    ids = {key: [row["id"] for row in page] for key, page in pages.items()}
    reference = ids["bare"]
    if len(reference) != PAGE_SIZE:
        raise BenchError(f"bare app returned {len(reference)} rows, expected {PAGE_SIZE}")
    for key, got in ids.items():
        if got != reference:
            raise BenchError(f"{key} serves another page than bare: {got[:3]} vs {reference[:3]}")


def _conninfo(url: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    parts = {
        "host": u.host or "127.0.0.1",
        "port": u.port or 5432,
        "user": u.username,
        "password": u.password,
        "dbname": u.database,
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v)


def _autocommit(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(_conninfo(url), autocommit=True, connect_timeout=5) as conn:
        for statement in statements:
            conn.execute(statement)


def _drop_database(name: str) -> None:
    _OUR_DATABASES.discard(name)
    _autocommit(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"database {name}: dropped", flush=True)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


CLK_TCK = os.sysconf("SC_CLK_TCK")


def _proc_stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _proc_stat(entry.name)
            if fields is not None and int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _machine_cpu() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine since boot, all cores added."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / CLK_TCK, sum(values) / CLK_TCK


@dataclass(frozen=True)
class _CpuSnapshot:
    """Machine CPU and the CPU of the processes of this bench, to tell others' load."""

    machine_busy: float
    machine_all: float
    ours: float

    @classmethod
    def take(cls, pids: Sequence[int]) -> _CpuSnapshot:
        ours = 0.0
        for pid in pids:  # gunicorn workers and PostgreSQL backends: utime + stime
            fields = _proc_stat(pid)
            if fields is not None:
                ours += (int(fields[11]) + int(fields[12])) / CLK_TCK
        own = resource.getrusage(resource.RUSAGE_SELF)
        waited = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once it has ended
        ours += own.ru_utime + own.ru_stime + waited.ru_utime + waited.ru_stime
        busy, every = _machine_cpu()
        return cls(busy, every, ours)

    def foreign_share(self, after: _CpuSnapshot) -> float:
        """The share of the machine's CPU that went to other processes in between."""
        span = after.machine_all - self.machine_all
        foreign = (after.machine_busy - self.machine_busy) - (after.ours - self.ours)
        return max(0.0, foreign / span) if span > 0 else 0.0


def _wait_for_quiet(limit: float, longest: float = 120.0) -> None:
    """Wait (up to ``longest`` s) until the idle machine's load is under ``limit``."""
    deadline = time.monotonic() + longest
    said = False
    while True:
        before = _CpuSnapshot.take(())
        time.sleep(1.0)
        share = before.foreign_share(_CpuSnapshot.take(()))
        if share <= limit or time.monotonic() > deadline:
            return
        if not said:
            print(f"   waiting for a quiet machine ({share:.0%} of the CPU busy)", flush=True)
            said = True


def _stop_server(server: Server) -> None:
    process = server.process
    if process.poll() is not None:
        return
    process.terminate()  # gunicorn's master stops its workers on SIGTERM
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the group of the master we started
        process.wait(timeout=5)


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


def summarise(raw: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    small, large = (raw["datasets"][str(n)]["variants"] for n in DATASETS)
    ratios: dict[str, Any] = {}
    for n, data in zip(DATASETS, (small, large), strict=True):
        ratios[f"tenancy/bare@{n}"] = _ratio(data["tenancy"], data["bare"])
        ratios[f"full/bare@{n}"] = _ratio(data["full"], data["bare"])
    for v in VARIANTS:
        ratios[f"{v.key}@{DATASETS[1]}/{DATASETS[0]}"] = _ratio(large[v.key], small[v.key])

    def disturbed(*cells: tuple[int, str]) -> bool:
        return any(raw["datasets"][str(n)]["variants"][k]["disturbed"] for n, k in cells)

    checks = []
    for n in DATASETS:
        for key, name, target in (
            ("tenancy", "tenancy layer", TARGET_TENANCY),
            ("full", "full path", TARGET_FULL),
        ):
            label = f"{name} ≥ {target}× bare, {n:,} tenants"
            checks.append(
                _check(
                    label,
                    ratios[f"{key}/bare@{n}"],
                    target,
                    disturbed((n, key), (n, "bare")),
                )
            )
    for v in VARIANTS:
        label = f"{v.label}: {DATASETS[1]:,} tenants ≥ {TARGET_SCALE}× {DATASETS[0]:,} tenants"
        checks.append(
            _check(
                label,
                ratios[f"{v.key}@{DATASETS[1]}/{DATASETS[0]}"],
                TARGET_SCALE,
                disturbed((DATASETS[0], v.key), (DATASETS[1], v.key)),
            )
        )
    return ratios, checks


def _ratio(measured: dict[str, Any], baseline: dict[str, Any]) -> float:
    """The median of the rounds' ratios: each round's two runs are minutes apart at
    most, so a machine that slows down or speeds up between rounds moves both."""
    pairs = zip(measured["rounds_rps"], baseline["rounds_rps"], strict=True)
    return round(statistics.median(m / b for m, b in pairs), 3)


def _check(name: str, value: float, target: float, disturbed: bool) -> dict[str, Any]:
    return {
        "check": name,
        "value": value,
        "target": target,
        "pass": value >= target,
        "disturbed": disturbed,
    }


def print_table(raw: dict[str, Any], ratios: dict[str, Any], checks: list[dict[str, Any]]) -> None:
    small_n, large_n = DATASETS
    small, large = (raw["datasets"][str(n)]["variants"] for n in DATASETS)
    o = raw["settings"]
    print(
        f"\nTenant overhead: first {PAGE_SIZE} compounds by name of a random tenant per request; "
        f"gunicorn -w {WORKERS} sync; wrk -t{WRK_THREADS} -c{o['connections']} "
        f"-d{o['duration_s']:g}s after {o['warmup_s']:g}s warm-up"
        + (f"; median of {o['rounds']} rounds" if o["rounds"] > 1 else "")
    )
    head = (
        f"{'req/s':<22}{f'{small_n:,} tenants ':>14}{f'{large_n:,} tenants ':>18}{'10k / 10':>10}"
    )
    print(head)
    print("-" * len(head))

    def cell(data: dict[str, Any], width: int) -> str:
        mark = "*" if data["disturbed"] else " "
        return f"{data['rps']:>{width - 1},.1f}{mark}"

    for v in VARIANTS:
        print(
            f"{v.label:<22}{cell(small[v.key], 14)}{cell(large[v.key], 18)}"
            f"{ratios[f'{v.key}@{large_n}/{small_n}']:>10.2f}"
        )
    for key, label in (("tenancy", "b / a"), ("full", "c / a")):
        print(
            f"{label:<22}{ratios[f'{key}/bare@{small_n}']:>13.2f} "
            f"{ratios[f'{key}/bare@{large_n}']:>17.2f}"
        )
    if any(data["disturbed"] for d in (small, large) for data in d.values()):
        print(
            f"* other processes took more than {o['max_foreign_cpu']:.0%} of the CPU "
            "in every try of this run: the figure is not reliable"
        )
    print("\nTargets")
    for c in checks:
        note = "  (from a disturbed run)" if c["disturbed"] else ""
        print(f"  {'PASS' if c['pass'] else 'FAIL'}  {c['check']}: {c['value']:.2f}{note}")


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": sys.version.split()[0]}
    for package in ("flask", "flask-smorest", "marshmallow", "sqlalchemy", "psycopg", "gunicorn"):
        with contextlib.suppress(PackageNotFoundError):
            found[package] = version(package)
    return found


def _git_state() -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return done.stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def _pg_version() -> str:
    import psycopg

    with psycopg.connect(_conninfo(PG_URL), connect_timeout=5) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, help="seconds measured per app (default 3)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up per app (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument(
        "--rounds", type=int, default=10, help="a-b-c rounds; the median round's ratio kept (10)"
    )
    parser.add_argument("--quick", action="store_true", help="smoke test: 2 s runs, 1 s warm-up")
    parser.add_argument(
        "--max-foreign-cpu",
        type=float,
        default=0.05,
        help="repeat a run when other processes took more than this share of the CPU (0.05)",
    )
    parser.add_argument("--retries", type=int, default=4, help="repeats of a disturbed run (4)")
    args = parser.parse_args(argv)
    duration = args.duration if args.duration is not None else (2.0 if args.quick else 3.0)
    warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 2.0)
    if duration < 1 or warmup < 1 or args.connections < WRK_THREADS or args.rounds < 1:
        parser.error("--duration/--warmup ≥ 1, --connections ≥ 2, --rounds ≥ 1")
    return Options(
        duration,
        warmup,
        args.connections,
        args.rounds,
        args.quick,
        max_foreign=args.max_foreign_cpu,
        retries=max(0, args.retries),
    )


def _require_loopback(url: str) -> None:
    from sqlalchemy.engine import make_url

    host = make_url(url).host or "127.0.0.1"
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise BenchError(f"PostgreSQL must be on a loopback address, not {host}")


def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    previous = {s: signal.signal(s, _interrupt) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        print(WRK_MISSING, file=sys.stderr)
        return 2
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.exists():
        gunicorn = REPO / ".venv" / "bin" / "gunicorn"
    started = time.perf_counter()
    try:
        with _signals_interrupt():
            _require_loopback(PG_URL)
            bench = Bench(options, wrk, str(gunicorn))
            with bench.stack:
                raw = bench.run()
                pg_version = _pg_version()
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped, databases dropped", file=sys.stderr)
        return 130
    except BenchError as exc:
        print(f"\nbench failed: {exc}", file=sys.stderr)
        return 1
    raw["settings"] = {
        "duration_s": options.duration,
        "warmup_s": options.warmup,
        "connections": options.connections,
        "wrk_threads": WRK_THREADS,
        "rounds": options.rounds,
        "quick": options.quick,
        "gunicorn_workers": WORKERS,
        "rows_per_tenant": ROWS_PER_TENANT,
        "page_size": PAGE_SIZE,
        "tenant_choice": "uniformly random tenant per request (wrk Lua request())",
        "max_foreign_cpu": options.max_foreign,
        "retries": options.retries,
    }
    ratios, checks = summarise(raw)
    print_table(raw, ratios, checks)
    document = {
        "benchmark": "tenant_overhead",
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(time.perf_counter() - started, 1),
        "machine": {"cpus": os.cpu_count(), "kernel": os.uname().release},
        "postgresql": pg_version,
        "versions": _versions(),
        "git": _git_state(),
        "targets": {
            "tenancy/bare": TARGET_TENANCY,
            "full/bare": TARGET_FULL,
            "10k/10 tenants": TARGET_SCALE,
        },
        **raw,
        "ratios": ratios,
        "checks": checks,
        "all_pass": all(c["pass"] for c in checks),
    }
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    print(f"\nresults: {RESULTS_FILE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
