"""What every console page stands on, core's and plugins' alike.

:func:`console_blueprint` makes a Flask blueprint whose every request is checked the same
way: a logged-in browser session (else the login page), a CSRF token on every form post,
the language remembered, errors shown as pages. With ``tenant=True`` it lives under
``/console/t/<slug>`` and enters that community exactly as the JSON API does (same 404
for a community where the caller has no role, same 403 when it is suspended, same module
gate), so a page cannot forget the scoping.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import validate_csrf
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse
from wtforms import ValidationError as CSRFError

from linli.api.problems import Problem, error_page
from linli.api.tenant_api import pop_slug, tenant_entry
from linli.i18n import SUPPORTED_LOCALES
from linli.identity.access import authenticate, my_tenants
from linli.tenancy.models import Tenant

CONSOLE_PREFIX = "/console"
TENANT_CONSOLE_PREFIX = CONSOLE_PREFIX + "/t/<slug>"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRFToken"


def remember_language() -> None:
    """``?lang=`` chosen once holds for the rest of the browser session."""
    chosen = request.args.get("lang")
    if chosen in SUPPORTED_LOCALES:
        session["lang"] = chosen


def refuse_forged_post() -> None:
    """A form post (or htmx call) must carry the session's CSRF token: 400 otherwise."""
    if request.method not in SAFE_METHODS:
        try:
            validate_csrf(request.form.get("csrf_token") or request.headers.get(CSRF_HEADER))
        except CSRFError as exc:
            title = _l("The form expired; reload the page")
            raise Problem(400, "csrf_failed", title, str(exc)) from exc


def _logged_in() -> BaseResponse | None:
    """Remember a language choice, refuse a forged post, send a stranger to log in."""
    remember_language()
    refuse_forged_post()
    principal = authenticate(allow_session=True)
    if principal is None or principal.user is None:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return None


def callers_communities() -> list[tuple[Tenant, frozenset[str]]]:
    """Where the logged-in caller can act, with their roles there: read once a request
    (the header's switcher and the home page both show it)."""
    if "callers_communities" not in g:
        principal = authenticate(allow_session=True)
        g.callers_communities = [] if principal is None else my_tenants(principal)
    found: list[tuple[Tenant, frozenset[str]]] = g.callers_communities
    return found


def requested_page() -> int:
    """The page a console listing was asked for (``?page=``, from 1)."""
    return max(request.args.get("page", 1, type=int) or 1, 1)


def console_error(exc: HTTPException) -> Response:
    """A page in the console's frame instead of the API's problem+json."""
    return error_page("console/error.html", exc)


def console_blueprint(
    name: str,
    import_name: str,
    *,
    tenant: bool = False,
    module: str | None = None,
    suffix: str = "",
) -> Blueprint:
    """A console blueprint: under ``/console{suffix}``, or with ``tenant``/``module`` under
    ``/console/t/<slug>[/<module>]{suffix}``; plugins pass ``module=<their name>``."""
    if module is not None:
        tenant, suffix = True, f"/{module}{suffix}"
    prefix = (TENANT_CONSOLE_PREFIX if tenant else CONSOLE_PREFIX) + suffix
    blueprint = Blueprint(name, import_name, url_prefix=prefix, template_folder="templates")
    blueprint.before_request(_logged_in)
    blueprint.register_error_handler(HTTPException, console_error)
    if tenant:
        blueprint.url_value_preprocessor(pop_slug)
        blueprint.before_request(tenant_entry(module))
    return blueprint
