"""Production processes stop without losing work: gunicorn (``linli.gunicorn_config``, two
workers) and a real ``linli worker`` on PostgreSQL and Redis receive SIGTERM, as
Kubernetes sends it to a pod's main process, while requests and a job are in flight."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from flask import Flask
from redis import Redis
from rq import Queue, Retry, Worker
from rq.registry import StartedJobRegistry
from sqlalchemy import select

from linli import db
from linli.config import Settings
from linli.residents.models import Compound
from linli.tenancy.context import tenant_context
from tests.conftest import PEOPLE, Communities, auth
from tests.test_jobs import ROOT, WORKER, _enqueue, _env, _job, _work_burst

pytestmark = pytest.mark.postgres
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python:linli.gunicorn_config"]


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    """Poll until ``condition`` holds; the deadline only stops a hung test."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.05)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _ready(base: str) -> bool:
    try:
        return requests.get(f"{base}/readyz", timeout=10).status_code == 200
    except requests.RequestException:  # not listening yet, or workers still booting
        return False


@dataclass
class Gunicorn:
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def logged(self, text: str) -> bool:
        return text in self.log.read_text(encoding="utf-8")


@pytest.fixture
def gunicorn(settings: Settings, redis_url: str, tmp_path: Path) -> Iterator[Gunicorn]:
    """gunicorn with the production config and two workers on a loopback port."""
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **_env(settings, redis_url),
        "LINLI_WEB_BIND": f"127.0.0.1:{port}",
        "LINLI_WEB_WORKERS": "2",
        "LINLI_LOG_LEVEL": "INFO",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*GUNICORN, "linli.wsgi:app"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    server = Gunicorn(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_for(lambda: process.poll() is None and _ready(server.base), "gunicorn to be ready")
        yield server
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _start_post(base: str, name: str) -> tuple[socket.socket, bytes]:
    """A POST whose headers a gunicorn worker has read (it answered ``100 Continue``)
    and whose body is still to come: a request in flight inside the app."""
    body = json.dumps({"name": name}).encode()
    host, port = base.removeprefix("http://").split(":")
    head = (
        "POST /api/v1/t/alpha/compounds HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        f"Authorization: Bearer {PEOPLE['alpha_admin']}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Expect: 100-continue\r\nConnection: close\r\n\r\n"
    )
    conn = socket.create_connection((host, int(port)), timeout=30)
    conn.sendall(head.encode())
    assert conn.recv(64).startswith(b"HTTP/1.1 100 Continue")
    return conn, body


def _finish_post(conn: socket.socket, body: bytes) -> int:
    with conn:
        conn.sendall(body)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def _compound_names(app: Flask, communities: Communities) -> set[str]:
    with app.app_context(), tenant_context(communities.alpha.ref):
        return set(db.session().scalars(select(Compound.name)))


def _start_worker(settings: Settings, redis_url: str) -> subprocess.Popen[bytes]:
    """``linli worker`` in a session of its own, as a pod's main process is."""
    return subprocess.Popen(
        [*WORKER, "worker"],
        cwd=ROOT,
        env=_env(settings, redis_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def test_sigterm_lets_requests_and_the_running_job_finish(
    gunicorn: Gunicorn,
    queued_app: Flask,
    settings: Settings,
    redis_url: str,
    communities: Communities,
    tmp_path: Path,
) -> None:
    before = _compound_names(queued_app, communities)
    for _ in range(6):
        listed = requests.get(
            f"{gunicorn.base}/api/v1/t/alpha/compounds", headers=auth("alpha_admin"), timeout=10
        )
        assert listed.status_code == 200
    metrics = requests.get(f"{gunicorn.base}/metrics", timeout=10).text
    counted = re.search(
        r'linli_http_requests_total\{endpoint="places.Compounds",method="GET",status="200"\} (\S+)',
        metrics,
    )
    assert counted is not None
    assert float(counted.group(1)) == 6  # both workers' requests, added up

    started, release = tmp_path / "started", tmp_path / "release"
    gate = _enqueue(
        queued_app, communities.alpha.ref, "test.gate", "任务小区", str(started), str(release)
    )
    behind = _enqueue(queued_app, communities.alpha.ref, "test.probe")
    worker = _start_worker(settings, redis_url)
    try:
        in_flight = [_start_post(gunicorn.base, "请求一"), _start_post(gunicorn.base, "请求二")]
        _wait_for(started.exists, "the job to start")

        gunicorn.process.send_signal(signal.SIGTERM)
        worker.send_signal(signal.SIGTERM)
        _wait_for(lambda: gunicorn.logged("Handling signal: term"), "gunicorn to take SIGTERM")
        redis = Redis.from_url(redis_url)
        _wait_for(
            lambda: any(w.shutdown_requested_date for w in Worker.all(connection=redis)),
            "the worker to take SIGTERM",
        )
        assert [_finish_post(conn, body) for conn, body in in_flight] == [201, 201]
        release.touch()
        assert gunicorn.process.wait(timeout=60) == 0
        assert worker.wait(timeout=60) == 0
    finally:
        _stop(worker)

    client = queued_app.test_client()
    assert _job(client, "alpha", gate, "alpha_admin").get_json()["status"] == "finished"
    # The job behind it was never taken: it waits in the queue for the next worker.
    assert _job(client, "alpha", behind, "alpha_admin").get_json()["status"] == "queued"
    _work_burst(settings, redis_url)
    assert _job(client, "alpha", behind, "alpha_admin").get_json()["status"] == "finished"
    added = _compound_names(queued_app, communities) - before
    assert added == {"请求一", "请求二", "任务小区"}


def test_job_killed_after_the_grace_period_is_requeued_and_completes(
    queued_app: Flask,
    settings: Settings,
    redis_url: str,
    communities: Communities,
    tmp_path: Path,
) -> None:
    """Kubernetes SIGKILLs a pod whose job outlives ``terminationGracePeriodSeconds``. The
    job's execution then expires in RQ's started registry; the next worker's maintenance
    retries it (here the expiry is brought forward instead of waited for)."""
    before = _compound_names(queued_app, communities)
    started, release = tmp_path / "started", tmp_path / "release"
    gate = _enqueue(
        queued_app,
        communities.alpha.ref,
        "test.gate",
        "重来小区",
        str(started),
        str(release),
        retry=Retry(max=2),
    )
    worker = _start_worker(settings, redis_url)
    try:
        _wait_for(started.exists, "the job to start")
    finally:
        _stop(worker)
    # The whole pod dies: after the worker, its job process (which RQ starts in a session
    # of its own, so it has to be named).
    os.kill(int(started.read_text(encoding="utf-8")), signal.SIGKILL)
    queue = Queue("default", connection=Redis.from_url(redis_url))
    with queued_app.app_context():
        StartedJobRegistry(queue=queue).cleanup(timestamp=time.time() + 10 * 24 * 3600)
    client = queued_app.test_client()
    assert _job(client, "alpha", gate, "alpha_admin").get_json()["status"] == "retrying"
    release.touch()
    _work_burst(settings, redis_url)
    body = _job(client, "alpha", gate, "alpha_admin").get_json()
    assert body["status"] == "finished", body
    assert body["attempts"] == 2
    assert _compound_names(queued_app, communities) - before == {"重来小区"}
