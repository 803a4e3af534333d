"""Liveness and readiness probes for load balancers and Kubernetes."""

from __future__ import annotations

import structlog
from flask import Blueprint, Response, jsonify
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from linli import db
from linli.api.problems import database_unavailable
from linli.jobs.backend import connection

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


def _redis_state() -> str:
    redis = connection()
    if redis is None:
        return "not configured"
    try:
        redis.ping()
    except RedisError:
        return "unavailable"
    return "ok"


@bp.get("/readyz")
def readyz() -> Response:
    """Ready when the database answers. Redis is reported but does not make the pod
    unready: without it only background jobs stop (503 on their endpoints), and taking
    every replica out of service for that would stop the whole API."""
    try:
        with db.database().engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        structlog.get_logger(__name__).warning("readiness: database unreachable", error=str(exc))
        raise database_unavailable() from exc
    return jsonify(status="ok", checks={"database": "ok", "redis": _redis_state()})
