"""Prometheus metrics at ``/metrics``.

Request metrics are labelled by Flask endpoint, method and status — never by community
slug or id — so the number of series stays bounded however many communities there are.
Job metrics come from the workers through Redis (see :mod:`linli.jobs.metrics`), so they
survive forked job processes and add up across worker replicas. Under gunicorn with
several workers set ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from linli.identity.permissions import public
from linli.jobs.metrics import JobsCollector

REQUESTS = Counter(
    "linli_http_requests_total", "HTTP requests answered", ["method", "endpoint", "status"]
)
LATENCY = Histogram(
    "linli_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


# The two series of each (method, endpoint, status) answered so far: the same children
# the metrics keep, found without prometheus_client's label checks and lock.
_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def _observe(response: Response) -> Response:
    key = (request.method, request.endpoint or "unmatched", response.status_code)
    series = _series.get(key)
    if series is None:
        method, endpoint, status = key
        series = _series[key] = (
            REQUESTS.labels(method, endpoint, str(status)),
            LATENCY.labels(method, endpoint),
        )
    series[0].inc()
    started = g.get("request_started")  # stamped by linli.logs when the request began
    if started is not None:
        series[1].observe(time.perf_counter() - started)
    return response


def _registry(app: Flask) -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(JobsCollector(app))
    return registry


def init_metrics(app: Flask) -> None:
    registry = _registry(app)
    app.after_request(_observe)

    @app.get("/metrics")
    @public
    def metrics() -> Response:
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
