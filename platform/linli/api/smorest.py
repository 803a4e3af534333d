"""flask-smorest wired to Linli's error shape and a JSON parser that cannot 500."""

from __future__ import annotations

import json
import threading
import weakref
from typing import Any, NoReturn

import flask
import flask_smorest
import marshmallow as ma
from flask import Response
from flask_babel import lazy_gettext as _l
from flask_smorest.pagination import PaginationMetadataSchema
from flask_smorest.utils import resolve_schema_instance
from webargs.flaskparser import FlaskParser, abort, is_json_request
from werkzeug.exceptions import HTTPException

from linli.api.dumping import speed_up
from linli.api.problems import Problem, generic


class LinliParser(FlaskParser):
    """webargs parser that turns pathologically nested JSON into a 400, not a 500."""

    DEFAULT_VALIDATION_STATUS = 422

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: weakref.WeakKeyDictionary[type[ma.Schema], ma.Schema] = (
            weakref.WeakKeyDictionary()
        )

    def _get_schema(self, argmap: Any, req: flask.Request) -> ma.Schema:
        """One instance per schema class (flask-smorest's pagination passes a class),
        instead of a new one, with its fields deep-copied, on every request."""
        if not (isinstance(argmap, type) and issubclass(argmap, ma.Schema)):
            return super()._get_schema(argmap, req)
        schema = self._schemas.get(argmap)
        if schema is None:
            schema = self._schemas[argmap] = argmap()
        return schema

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req) and req.get_data(cache=True):
            abort(
                415,
                messages={"json": [str(_l("Send the body as application/json."))]},
                problem_code="unsupported_media_type",
            )
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise  # webargs turns these into "missing" (empty body) or a 400 itself
        except (RecursionError, ValueError):
            abort(
                400,
                messages={"json": [str(_l("JSON is nested too deeply or a number is too long."))]},
                problem_code="bad_json",
            )

    def _handle_invalid_json_error(
        self,
        error: json.JSONDecodeError | UnicodeDecodeError,
        req: flask.Request,
        *args: Any,
        **kwargs: Any,
    ) -> NoReturn:
        abort(
            400,
            exc=error,
            messages={"json": [str(_l("Invalid JSON body."))]},
            problem_code="bad_json",
        )


_PAGINATION_METADATA = speed_up(PaginationMetadataSchema())


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """The blueprint every Linli API (core and plugins) is built from."""

    ARGUMENTS_PARSER = LinliParser()
    PAGINATION_ARGUMENTS_PARSER = LinliParser()

    def response(self, status_code: Any, schema: Any = None, **kwargs: Any) -> Any:
        """flask-smorest's, with the schema's dump sped up (see :mod:`linli.api.dumping`)."""
        schema = resolve_schema_instance(schema)
        if isinstance(schema, ma.Schema):
            speed_up(schema)
        return super().response(status_code, schema, **kwargs)

    @staticmethod
    def _make_pagination_metadata(page: int, page_size: int, item_count: int) -> Any:
        """The ``X-Pagination`` header of flask-smorest (same keys, same schema), dumped
        by one schema instance instead of a new one, fields deep-copied, per request."""
        metadata: dict[str, int] = {"total": item_count}
        page_count = (item_count - 1) // page_size + 1 if item_count else 0
        metadata["total_pages"] = page_count
        if page_count:
            metadata |= {"first_page": 1, "last_page": page_count}
            if page <= page_count:
                metadata["page"] = page
                if page > 1:
                    metadata["previous_page"] = page - 1
                if page < page_count:
                    metadata["next_page"] = page + 1
        return _PAGINATION_METADATA.dump(metadata)


class Api(flask_smorest.Api):  # type: ignore[misc]
    """Renders every HTTP error, smorest's or werkzeug's, as a problem document, and
    documents the blueprints when the OpenAPI document is first needed.

    Building the document (apispec, schema copies) is about a fifth of ``create_app``:
    a job worker, a CLI command or a web worker that never serves ``/api/openapi.json``
    no longer pays for it at start-up. The document itself is the same.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._undocumented: list[tuple[Any, str, Any]] = []
        self._documenting = threading.Lock()
        super().__init__(*args, **kwargs)

    @property
    def spec(self) -> Any:
        """The OpenAPI spec, with every registered blueprint documented in it."""
        if self._undocumented:
            with self._documenting:
                while self._undocumented:
                    blueprint, name, parameters = self._undocumented[0]
                    blueprint.register_views_in_doc(
                        self, self._app, self._spec, name=name, parameters=parameters
                    )
                    self._spec.tag({"name": name, "description": blueprint.description})
                    self._undocumented.pop(0)
        return self._spec

    @spec.setter
    def spec(self, value: Any) -> None:
        self._spec = value

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        """flask-smorest's, with the documentation of ``blp`` left for :attr:`spec`."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

    def handle_http_exception(self, error: HTTPException) -> Response:
        return render_http_exception(error)


def render_http_exception(error: HTTPException) -> Response:
    headers: dict[str, str] = {}
    valid_methods = getattr(error, "valid_methods", None)
    if valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    if not isinstance(error, Problem):
        error = _as_problem(error)
    error.extra_headers.update(headers)
    return error.get_response()


def _as_problem(error: HTTPException) -> Problem:
    """A werkzeug or webargs error as a problem; their English descriptions are dropped."""
    status = error.code or 500
    code, title = generic(status)
    data = getattr(error, "data", None) or {}
    code = data.get("problem_code", code)
    if code == "bad_json":
        title = _l("The request body is not valid JSON")
    return Problem(
        status,
        code,
        title,
        data.get("message"),
        errors=data.get("messages"),
        headers=data.get("headers"),
    )
