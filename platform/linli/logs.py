"""Structured logs: one JSON line per event, with the request id and tenant bound."""

from __future__ import annotations

import logging
import re
import secrets
import sys
import time

import structlog
from flask import Flask, Response, g, request

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def configure_logging(*, json: bool, level: str) -> None:
    """Route stdlib and structlog records through one renderer on stderr."""
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        # Below the level, an event is dropped before its processors run (the stdlib
        # handler would drop it after them).
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _start_request() -> None:
    structlog.contextvars.clear_contextvars()
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SAFE_REQUEST_ID.fullmatch(incoming) else secrets.token_hex(16)
    g.request_started = time.perf_counter()
    structlog.contextvars.bind_contextvars(request_id=g.request_id)


_REQUEST_LOG = structlog.get_logger("linli.request")


def _finish_request(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    if not _REQUEST_LOG.isEnabledFor(logging.INFO):
        return response  # below the level: no need to gather the line's fields
    started = g.get("request_started")
    _REQUEST_LOG.info(
        "request",
        method=request.method,
        path=request.path,
        endpoint=request.endpoint,
        status=response.status_code,
        duration_ms=round((time.perf_counter() - started) * 1000, 2) if started else None,
    )
    return response


def init_request_logging(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_finish_request)
