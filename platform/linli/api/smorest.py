"""flask-smorest wired to Linli's error shape and a JSON parser that cannot 500."""

from __future__ import annotations

import http
import json
import threading
import weakref
from decimal import Decimal
from typing import Any, NoReturn

import flask
import flask_smorest
import marshmallow as ma
from flask import Response
from flask_babel import lazy_gettext as _l
from flask_smorest.pagination import PaginationParameters
from flask_smorest.utils import resolve_schema_instance
from webargs.flaskparser import FlaskParser, abort, is_json_request
from werkzeug.exceptions import HTTPException

from linli.api.dumping import speed_up
from linli.api.problems import PROBLEM_MEDIA_TYPE, Problem, generic


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

    def _load_location_data(self, *, schema: ma.Schema, req: flask.Request, location: str) -> Any:
        """JSON booleans must be ``true`` or ``false``: marshmallow would also take ``0``,
        ``"yes"`` or ``"off"``, which a query string needs but a JSON body never does."""
        data = super()._load_location_data(schema=schema, req=req, location=location)
        if location == "json":
            errors = _not_booleans(schema, data)
            if errors:
                raise ma.ValidationError(errors)
        return data

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


def _not_booleans(schema: ma.Schema, data: Any) -> dict[str, Any]:
    """Errors for the Boolean fields of ``schema`` (nested ones too) that ``data`` gives
    as anything but a JSON boolean or null."""
    if not isinstance(data, dict):
        return {}
    errors: dict[str, Any] = {}
    for name, field in schema.fields.items():
        key = field.data_key or name
        if key not in data:
            continue
        value = data[key]
        if isinstance(field, ma.fields.Boolean) and not (value is None or isinstance(value, bool)):
            errors[key] = [field.error_messages["invalid"]]
        elif isinstance(field, ma.fields.Nested) and isinstance(field.schema, ma.Schema):
            items = value if field.many and isinstance(value, list) else [value]
            nested = {
                str(n): found
                for n, item in enumerate(items)
                if (found := _not_booleans(field.schema, item))
            }
            if nested:
                errors[key] = nested if field.many else nested["0"]
    return errors


class PaginationParser(LinliParser):
    """The parser of flask-smorest's pagination arguments, parsing each query string
    once per pagination schema.

    The page and page size a query string asks for are a function of the query string
    and the schema alone, and listings are asked for with the same few query strings
    over and over: webargs and marshmallow loading them was about 5 % of a listing
    request. Only what loaded is kept (a refused query string is parsed, and refused,
    every time), at most :attr:`KEPT` query strings per parser (then it starts over),
    and each request gets parameters of its own (the view sets their item count).
    """

    KEPT = 256

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: dict[tuple[Any, bytes], tuple[int, int]] = {}

    def parse(self, argmap: Any, req: Any = None, **kwargs: Any) -> Any:
        if req is None or kwargs.keys() != {"location"} or kwargs["location"] != "query":
            return super().parse(argmap, req, **kwargs)
        key = (argmap, req.query_string)
        known = self._pages.get(key)
        if known is not None:
            return PaginationParameters(*known)
        parameters = super().parse(argmap, req, **kwargs)
        if len(self._pages) >= self.KEPT:
            self._pages.clear()
        self._pages[key] = (parameters.page, parameters.page_size)
        return parameters


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """The blueprint every Linli API (core and plugins) is built from."""

    ARGUMENTS_PARSER = LinliParser()
    PAGINATION_ARGUMENTS_PARSER = PaginationParser()

    def response(self, status_code: Any, schema: Any = None, **kwargs: Any) -> Any:
        """flask-smorest's, with the schema's dump sped up (see :mod:`linli.api.dumping`)."""
        schema = resolve_schema_instance(schema)
        if isinstance(schema, ma.Schema):
            speed_up(schema)
        return super().response(status_code, schema, **kwargs)

    @staticmethod
    def _make_pagination_metadata(page: int, page_size: int, item_count: int) -> Any:
        """The ``X-Pagination`` header of flask-smorest: the same keys in the same order,
        without a schema (flask-smorest made one per request, fields deep-copied, to
        dump integers as the integers they are)."""
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
        return metadata

    def arguments(
        self, schema: Any, *, location: str = "json", required: bool | None = None, **kwargs: Any
    ) -> Any:
        """As flask-smorest's, but a JSON body whose fields are all optional is documented
        as optional: the API takes a missing body as ``{}`` (a PATCH changing nothing)."""
        if required is None:
            required = location != "json" or _has_required_field(schema)
        return super().arguments(schema, location=location, required=required, **kwargs)


def _has_required_field(schema: Any) -> bool:
    instance = schema() if isinstance(schema, type) else schema
    return any(field.required for field in instance.fields.values())


def file_download(description: str, *media_types: str) -> dict[str, Any]:
    """``@blp.doc(**file_download(...))`` for a view answering 200 with a file of one of
    ``media_types`` (a view returning its own ``Response`` documents no 200 otherwise)."""
    content = {
        media_type: {"schema": {"type": "object"}}
        if media_type == "application/json"
        else {"schema": {"type": "string", "format": "binary"}}
        for media_type in media_types
    }
    return {"responses": {"200": {"description": description, "content": content}}}


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem document, as every error of the API is answered (extension
    members such as the id a conflict is with may come along)."""

    class Meta:
        unknown = ma.INCLUDE

    type = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True, metadata={"description": "Stable, for programs"})
    detail = ma.fields.String()
    errors = ma.fields.Dict(metadata={"description": "Messages by location and field"})


#: ``X-Pagination`` is one JSON object in a header, which OpenAPI's header styles cannot
#: express as an object (they split ``k,v`` pairs): documented as the string it is.
PAGINATION_HEADER = {
    "description": "Pagination metadata as a JSON object: total, total_pages, first_page, "
    "last_page, page, and previous_page / next_page where there is one.",
    "schema": {"type": "string"},
}


class Api(flask_smorest.Api):  # type: ignore[misc]
    """Renders every HTTP error, smorest's or werkzeug's, as a problem document, and
    documents them as such (``application/problem+json``, :class:`ProblemSchema`); the
    blueprints are documented when the OpenAPI document is first needed.

    Building the document (apispec, schema copies) is about a fifth of ``create_app``:
    a job worker, a CLI command or a web worker that never serves ``/api/openapi.json``
    no longer pays for it at start-up. The document itself is the same.
    """

    ERROR_SCHEMA = ProblemSchema

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

    def _init_spec(self, **kwargs: Any) -> None:
        super()._init_spec(**kwargs)
        self.ma_plugin.converter.add_attribute_function(_decimal_bounds_as_numbers)

    def _register_responses(self) -> None:
        """flask-smorest's error responses, in the media type they are sent with."""
        responses: dict[str, dict[str, Any]] = {
            status.name: {"description": status.phrase}
            for status in http.HTTPStatus
            if status < 200 or status in (204, 304)
        }
        for status in http.HTTPStatus:
            if status.name not in responses:
                responses[status.name] = {"description": status.phrase, "schema": ProblemSchema}
        responses["DEFAULT_ERROR"] = {"description": "An error", "schema": ProblemSchema}
        for name, response in responses.items():
            if "schema" in response:
                response = {
                    "description": response["description"],
                    "content": {PROBLEM_MEDIA_TYPE: {"schema": response["schema"]}},
                }
            self.spec.components.response(name, response, lazy=True)

    def _register_pagination_header(self) -> None:
        self.spec.components.header("PAGINATION", PAGINATION_HEADER, lazy=True)


def _decimal_bounds_as_numbers(
    _converter: Any, _field: ma.fields.Field[Any], ret: dict[str, Any]
) -> dict[str, Any]:
    """A ``Range`` of Decimals as JSON numbers (they would be rendered as strings, which
    no JSON Schema validator accepts as a bound)."""
    return {
        key: float(value)
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
        if isinstance(value := ret.get(key), Decimal)
    }


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
