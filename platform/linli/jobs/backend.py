"""Where jobs go: Redis and RQ queues, or nowhere (embedded mode runs them inline)."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

from linli.api.problems import Problem

QUEUES = ("default", "bulk", "reports")
_CONNECTION_KEY = "linli.redis"


def redis_url() -> str | None:
    url: str | None = current_app.config["LINLI"].redis_url
    return url


def connection() -> Redis | None:
    """The app's Redis connection (one pool per app), or None in embedded mode."""
    url = redis_url()
    if url is None:
        return None
    existing: Redis | None = current_app.extensions.get(_CONNECTION_KEY)
    if existing is None:
        existing = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        current_app.extensions[_CONNECTION_KEY] = existing
    return existing


def unavailable() -> Problem:
    return Problem(
        503,
        "jobs_unavailable",
        _l("Background jobs are unavailable right now"),
        _l("The job queue cannot be reached; try again in a moment."),
        headers={"Retry-After": "30"},
    )


def require_reachable() -> Redis | None:
    """The connection, checked with a PING: a 503 problem when Redis is down."""
    redis = connection()
    if redis is not None:
        try:
            redis.ping()
        except RedisError as exc:
            raise unavailable() from exc
    return redis


def queue(name: str, redis: Redis) -> Queue:
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name}")
    return Queue(name, connection=redis)
