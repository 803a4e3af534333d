"""Job metrics, kept in Redis so every worker (and every forked job) adds to the same
numbers, and exported by the web app's ``/metrics`` at scrape time."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from itertools import accumulate
from typing import Any, NamedTuple

from flask import Flask
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.registry import FailedJobRegistry, StartedJobRegistry

from linli.jobs.backend import QUEUES, connection

# Buckets are stored as counts per bucket (not cumulative, as exported): a job then
# writes three fields, not one per bucket it falls under. A new key, so counts of the
# cumulative layout are never read as per-bucket ones.
KEY = "linli:metrics:jobs:v2"
BUCKETS = (0.1, 0.5, 1.0, 5.0, 30.0, 120.0, 600.0)
OUTCOMES = ("finished", "failed", "error")


class Attempt(NamedTuple):
    """One attempt of a job ``kind``, as counted: its ``outcome`` is ``finished``,
    ``failed`` (for good) or ``error`` (a transient error; RQ retries while retries are
    left)."""

    kind: str
    outcome: str
    seconds: float


def record_job(redis: Redis | None, kind: str, outcome: str, seconds: float) -> None:
    record_jobs(redis, [Attempt(kind, outcome, seconds)])


def record_jobs(redis: Redis | None, attempts: Iterable[Attempt]) -> None:
    """Count attempts, in one round trip however many, added up first: a worker's batch
    of quick jobs of one kind is then three increments, not three per job."""
    if redis is None:
        return
    counts: Counter[str] = Counter()
    sums: defaultdict[str, float] = defaultdict(float)
    for kind, outcome, seconds in attempts:
        counts[f"count|{kind}|{outcome}"] += 1
        sums[f"sum|{kind}"] += seconds
        bound = next((b for b in BUCKETS if seconds <= b), None)
        if bound is not None:
            counts[f"bucket|{kind}|{bound}"] += 1
    try:
        with redis.pipeline(transaction=False) as pipe:
            for field, count in counts.items():
                pipe.hincrby(KEY, field, count)
            for field, seconds in sums.items():
                pipe.hincrbyfloat(KEY, field, seconds)
            pipe.execute()
    except RedisError:
        pass  # metrics must never fail a job


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class JobsCollector(Collector):
    """Queue depths and job outcomes, read from Redis when Prometheus scrapes."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Any]:
        up = GaugeMetricFamily("linli_jobs_redis_up", "Whether the job queue is reachable")
        with self.app.app_context():
            redis = connection()
        if redis is None:
            return
        try:
            families = list(self._families(redis))
        except RedisError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self, redis: Redis) -> Iterator[Any]:
        depth = GaugeMetricFamily("linli_jobs_queued", "Jobs waiting", labels=["queue"])
        running = GaugeMetricFamily("linli_jobs_running", "Jobs running", labels=["queue"])
        failed = GaugeMetricFamily(
            "linli_jobs_failed_registry", "Jobs in the failed registry", labels=["queue"]
        )
        for name in QUEUES:
            queue = Queue(name, connection=redis)
            depth.add_metric([name], len(queue))
            running.add_metric([name], StartedJobRegistry(queue=queue).count)
            failed.add_metric([name], FailedJobRegistry(queue=queue).count)
        yield from (depth, running, failed)
        raw = {_text(k): _text(v) for k, v in redis.hgetall(KEY).items()}
        outcomes = CounterMetricFamily(
            "linli_jobs_attempts", "Job attempts by kind and outcome", labels=["kind", "outcome"]
        )
        durations = HistogramMetricFamily(
            "linli_job_duration_seconds", "Job attempt durations", labels=["kind"]
        )
        kinds: set[str] = set()
        for key, value in raw.items():
            part, kind, *rest = key.split("|")
            kinds.add(kind)
            if part == "count":
                outcomes.add_metric([kind, rest[0]], float(value))
        for kind in sorted(kinds):
            total = sum(float(raw.get(f"count|{kind}|{o}", 0)) for o in OUTCOMES)
            buckets = list(
                zip(
                    map(str, BUCKETS),
                    accumulate(float(raw.get(f"bucket|{kind}|{b}", 0)) for b in BUCKETS),
                    strict=True,
                )
            )
            buckets.append(("+Inf", total))
            durations.add_metric([kind], buckets, float(raw.get(f"sum|{kind}", 0)))
        yield from (outcomes, durations)
