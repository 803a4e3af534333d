"""A bounded loopback load test: 60 s of locust against gunicorn on PostgreSQL with 1,000
communities; errors (must be 0), p50/p95/p99, and the web and worker processes' memory.

On the real PostgreSQL at 127.0.0.1:5432 (user postgres, trust) a throw-away database is
migrated and given ``--communities`` communities of 20 compounds each (as the owner, in
bulk) and one platform admin's token; ``gunicorn -c python:linli.gunicorn_config`` serves
it on a free 127.0.0.1 port with ``--web-workers`` sync workers; ``locust --headless``
(``bench/locustfile.py``) runs ``--users`` closed-loop users for ``--seconds``. Then the
web workers' resident memory is read from /proc, and a ``linli worker`` (Redis
``BENCH_REDIS_URL``, db 12 by default) runs ``--exports`` community exports while its own
peak resident memory is watched. Loopback only; the database is dropped at the end.

    .venv/bin/python bench/load.py [--seconds 60] [--users 16] [--json FILE]

Exit status 1 when any request failed (or the servers did not come up), else 0.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from common import add_json_option, free_port, throwaway_database, write_json
from redis import Redis

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
COMPOUNDS_EACH = 20


def _seed(owner_url: str, app_url: str, communities: int, tmp: str) -> str:
    """Communities, their compounds and a platform admin; returns the admin's token."""
    from sqlalchemy import insert, text

    from linli import db, migrate
    from linli.app import create_app
    from linli.config import Settings
    from linli.identity.services import create_token, create_user
    from linli.residents.models import Compound
    from linli.tenancy.models import Bureau, Tenant

    settings = Settings.from_env({"LINLI_INSTANCE_PATH": tmp}).with_overrides(
        database_url=app_url, database_admin_url=owner_url, instance_path=Path(tmp)
    )
    migrate.upgrade(settings)
    owner = db.make_engine(owner_url)
    now = datetime.now(UTC)
    with owner.begin() as connection:
        bureau = connection.execute(
            insert(Bureau).values(slug="load", name="压测街道", created_at=now, updated_at=now)
        ).inserted_primary_key[0]
        ids = connection.execute(
            insert(Tenant).returning(Tenant.id),
            [
                {
                    "slug": f"load-{n:04d}",
                    "name": f"压测社区{n}",
                    "bureau_id": bureau,
                    "status": "active",
                    "locale": "zh_CN",
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(1, communities + 1)
            ],
        ).scalars()
        connection.execute(
            insert(Compound),
            [
                {
                    "tenant_id": tenant,
                    "id": uuid.uuid4(),
                    "name": f"第{i:02d}小区",
                    "address": f"{tenant}号路",
                    "created_at": now,
                    "updated_at": now,
                }
                for tenant in ids
                for i in range(COMPOUNDS_EACH)
            ],
        )
    with owner.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    owner.dispose()
    app = create_app(settings)
    with app.app_context(), db.database().session_scope() as session:
        user = create_user(
            session, {"display_name": "压测", "email": "load@linli.cn", "is_platform_admin": True}
        )
        return create_token(session, user, "load", ["admin"], None).token


def _kib(pid: int, field: str) -> int:
    """A /proc/<pid>/status memory field (VmRSS, VmHWM) in KiB; 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _wait_http(url: str, token: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(url, headers=_auth(token), timeout=30).status_code == 200:
                return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _locust_stats(prefix: str) -> dict[str, Any]:
    """locust's "Aggregated" row: requests, failures, req/s, p50/p95/p99 (ms)."""
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "by_request": {
            name: {"requests": int(r["Request Count"]), "p95_ms": float(r["95%"])}
            for name, r in rows.items()
            if name != "Aggregated"
        },
    }


def _worker_rss(env: dict[str, str], base: str, token: str, exports: int) -> int:
    """Peak resident memory (KiB) of a ``linli worker`` running ``exports`` exports."""
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    for n in range(1, exports + 1):
        url = f"{base}/api/v1/t/load-{n:04d}/exports"
        requests.post(url, headers=_auth(token), timeout=30).raise_for_status()
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("linli")), "worker", "--burst"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak = 0
    while worker.poll() is None:
        peak = max(
            peak, _kib(worker.pid, "VmHWM"), *(_kib(c, "VmRSS") for c in _children(worker.pid))
        )
        time.sleep(0.05)
    redis.flushdb()
    if worker.returncode != 0:
        raise RuntimeError(f"linli worker exited with {worker.returncode}")
    return peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--exports", type=int, default=20)
    add_json_option(parser)
    args = parser.parse_args()
    os.environ.setdefault("LINLI_LOG_LEVEL", "WARNING")
    locust = shutil.which("locust", path=str(Path(sys.executable).parent))
    if locust is None:
        print("locust is missing: make install", file=sys.stderr)
        return 2

    with throwaway_database("load") as (owner_url, app_url), tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        token = _seed(owner_url, app_url, args.communities, tmp)
        print(
            f"{args.communities:,} communities × {COMPOUNDS_EACH} compounds seeded in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("LINLI_")},
            "LINLI_DATABASE_URL": app_url,
            "LINLI_DATABASE_ADMIN_URL": owner_url,
            "LINLI_REDIS_URL": REDIS_URL,
            "LINLI_INSTANCE_PATH": tmp,
            "LINLI_SECRET_KEY": "load-bench",
            "LINLI_LOG_LEVEL": "WARNING",
            "LINLI_WEB_BIND": f"127.0.0.1:{port}",
            "LINLI_WEB_WORKERS": str(args.web_workers),
        }
        web = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "-c",
                "python:linli.gunicorn_config",
                "linli.wsgi:app",
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(Path(tmp) / "gunicorn.log", "wb"),  # noqa: SIM115  (closed with the dir)
        )
        try:
            _wait_http(f"{base}/api/v1/t/load-0001/compounds", token, 60)
            prefix = str(Path(tmp) / "locust")
            command = [
                locust,
                "-f",
                str(BENCH / "locustfile.py"),
                "--headless",
                "--host",
                base,
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.users),
                "--run-time",
                f"{args.seconds}s",
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ]
            print(f"locust: {args.users} users, {args.seconds} s, against {base}", flush=True)
            subprocess.run(
                command,
                env={**env, "LOAD_TOKEN": token, "LOAD_COMMUNITIES": str(args.communities)},
                check=True,
                timeout=args.seconds + 120,
                stdout=subprocess.DEVNULL,
            )
            stats = _locust_stats(prefix)
            web_rss = max((_kib(pid, "VmRSS") for pid in _children(web.pid)), default=0)
            worker_rss = _worker_rss(env, base, token, args.exports)
        finally:
            _stop(web)

    result = {
        **stats,
        "communities": args.communities,
        "seconds": args.seconds,
        "users": args.users,
        "web_workers": args.web_workers,
        "web_worker_rss_mb": round(web_rss / 1024, 1),
        "worker_rss_mb": round(worker_rss / 1024, 1),
    }
    print(
        f"requests {stats['requests']:,} ({stats['rps']:.0f}/s), errors {stats['failures']}, "
        f"p50 {stats['p50_ms']:.0f} ms, p95 {stats['p95_ms']:.0f} ms, p99 {stats['p99_ms']:.0f} ms"
    )
    for name, row in stats["by_request"].items():
        print(f"  {name:28} {row['requests']:7,} requests, p95 {row['p95_ms']:.0f} ms")
    print(
        f"memory: web worker RSS {result['web_worker_rss_mb']} MB (largest of "
        f"{args.web_workers}), job worker peak RSS {result['worker_rss_mb']} MB"
    )
    print(f"errors = 0: {'PASS' if stats['failures'] == 0 else 'FAIL'}")
    write_json(args, "load", result)
    return 0 if stats["failures"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
