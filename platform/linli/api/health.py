"""Liveness and readiness probes for load balancers and Kubernetes."""

from __future__ import annotations

import structlog
from flask import Blueprint, Response, jsonify
from flask_babel import lazy_gettext as _l
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from linli import db
from linli.api.problems import Problem

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Response:
    try:
        with db.database().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        structlog.get_logger(__name__).warning("readiness: database unreachable", error=str(exc))
        raise Problem(503, "database_unavailable", _l("The database is not reachable")) from exc
    return jsonify(status="ok", checks={"database": "ok"})
