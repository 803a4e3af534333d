"""gunicorn settings for production: ``gunicorn -c python:linli.gunicorn_config linli.wsgi:app``.

Every knob comes from the environment so one image fits every deployment size; the
container image and the Helm chart start the web app with this file.

Shutdown is graceful: on SIGTERM the master closes the listening socket and every
worker finishes the request it is serving (``LINLI_WEB_GRACEFUL_TIMEOUT`` seconds at
most; keep it below Kubernetes' ``terminationGracePeriodSeconds``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger
from prometheus_client import multiprocess

from linli.logs import configure_logging


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = os.environ.get("LINLI_WEB_BIND", "0.0.0.0:8000")
workers = _int("LINLI_WEB_WORKERS", 2)
threads = _int("LINLI_WEB_THREADS", 1)
timeout = _int("LINLI_WEB_TIMEOUT", 30)
graceful_timeout = _int("LINLI_WEB_GRACEFUL_TIMEOUT", 25)
# Longer than the ingress controller's idle timeout would be wasted; shorter costs
# reconnects between the ingress and the pods.
keepalive = _int("LINLI_WEB_KEEPALIVE", 5)
# Recycle workers now and then (0 = never), jittered so they do not restart together.
max_requests = _int("LINLI_WEB_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
# The app logs one JSON line per request itself (linli.logs): no access log twice.
accesslog = None
errorlog = "-"
# X-Forwarded-Proto from these addresses sets the request scheme (links, secure cookies).
forwarded_allow_ips = os.environ.get("LINLI_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


class JsonLogger(Logger):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn's own lines (boot, worker exits, timeouts) as the app's JSON lines."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        configure_logging(
            json=os.environ.get("LINLI_LOG_FORMAT", "json") == "json",
            level=os.environ.get("LINLI_LOG_LEVEL", "INFO").upper(),
        )
        self.error_log.handlers.clear()
        self.error_log.propagate = True


logger_class = JsonLogger


def _metrics_dir() -> Path | None:
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(value) if value else None


def on_starting(server: Any) -> None:
    """Start the workers' shared metric files afresh: old files would add dead counts."""
    directory = _metrics_dir()
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)


def child_exit(server: Any, worker: Any) -> None:
    """A worker that exited stops counting in the live gauges of /metrics."""
    if _metrics_dir() is not None:
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
