"""RFC 9457 problem documents: the one shape every error of the API takes.

``code`` is stable and meant for programs; ``title`` is translated for people.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, json, render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from linli.api.messages import localised

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://linli.dev/problems/"

#: Generic code and title per status, used when the raiser gave no specific code.
GENERIC: dict[int, tuple[str, Any]] = {
    400: ("bad_request", _l("The request could not be understood")),
    401: ("unauthorized", _l("Authentication is required")),
    403: ("forbidden", _l("You are not allowed to do this")),
    404: ("not_found", _l("Not found")),
    405: ("method_not_allowed", _l("Method not allowed")),
    406: ("not_acceptable", _l("No acceptable representation")),
    409: ("conflict", _l("The request conflicts with the current state")),
    413: ("payload_too_large", _l("The request body is too large")),
    414: ("uri_too_long", _l("The request URI is too long")),
    415: ("unsupported_media_type", _l("Unsupported media type")),
    422: ("validation_failed", _l("The submitted data is not valid")),
    429: ("too_many_requests", _l("Too many requests")),
    500: ("internal_error", _l("Internal server error")),
    503: ("unavailable", _l("The service is temporarily unavailable")),
}


class Problem(HTTPException):
    """An HTTP error with a stable machine-readable code, raised anywhere in the app.

    The title stays lazy until the response is built, so it is rendered in the
    request's language.
    """

    def __init__(
        self,
        status: int,
        code: str,
        title: Any,
        detail: Any = None,
        *,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(description=None if detail is None else str(detail))
        self.code = status
        self.problem_code = code
        self.title = title
        self.errors = errors
        self.extra_headers = dict(headers or {})
        #: RFC 9457 extension members, e.g. the id of the row a conflict is with.
        self.extensions = dict(extensions or {})

    def get_response(self, environ: Any = None, scope: Any = None) -> Response:
        body: dict[str, Any] = {
            **self.extensions,
            "type": TYPE_BASE + self.problem_code,
            "title": str(self.title),
            "status": self.code,
            "code": self.problem_code,
        }
        if self.description:
            body["detail"] = self.description
        if self.errors:
            body["errors"] = localised(self.errors)
        response = current_app.response_class(
            json.dumps(body, ensure_ascii=False), status=self.code, mimetype=PROBLEM_MEDIA_TYPE
        )
        response.headers.update(self.extra_headers)
        return response


def generic(status: int) -> tuple[str, Any]:
    return GENERIC.get(status, (f"http_{status}", _l("Error")))


def problem_for(status: int, detail: Any = None, **kwargs: Any) -> Problem:
    """The generic problem of ``status`` (its stable code and translated title)."""
    code, title = generic(status)
    return Problem(status, code, title, detail, **kwargs)


def not_found(detail: Any = None) -> Problem:
    """The same 404 for a row of another community and a row that does not exist."""
    return problem_for(404, detail)


def forbidden(detail: Any = None) -> Problem:
    return problem_for(403, detail)


def conflict(detail: Any = None) -> Problem:
    return problem_for(409, detail)


def invalid(location: str, field: str, messages: Any) -> Problem:
    """A 422 naming one field; ``messages`` is a message or marshmallow's messages."""
    listed = messages if isinstance(messages, (list, dict)) else [str(messages)]
    return problem_for(422, errors={location: {field: listed}})


def database_unavailable() -> Problem:
    return Problem(503, "database_unavailable", _l("The database is not reachable"))


def error_page(template: str, exc: HTTPException) -> Response:
    """``exc`` as an HTML page (the console's, the residents' pages'), for people rather
    than programs; its headers (``Retry-After`` …) kept."""
    title = getattr(exc, "title", None) or exc.name
    page = render_template(template, title=title, detail=exc.description)
    headers = getattr(exc, "extra_headers", None) or {}
    return Response(page, exc.code or 500, headers, mimetype="text/html")
