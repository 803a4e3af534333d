"""Server-rendered pages of a module for residents without an account:
``/p/<slug>/<module>/…``.

The JSON routes of :mod:`linli.api.public_api` serve programs; these pages serve a phone
that scanned a QR code on a building's door. They enter the community exactly as those
routes do (unknown, suspended or the module off: the same 404; every request counted per
client address and community against ``LINLI_PUBLIC_RATE_LIMIT``), authenticate nobody
whatever the session holds, refuse a form post without the CSRF token its page gave
(kept in the session cookie: no account needed), and show every error as a page in the
reader's language, a 429 keeping its ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Response
from werkzeug.exceptions import HTTPException

from linli.api.problems import error_page
from linli.api.public_api import entering
from linli.api.tenant_api import pop_slug
from linli.console.pages import refuse_forged_post, remember_language
from linli.storage import body_limit

PUBLIC_PAGES_PREFIX = "/p/<slug>"


class PublicPages(Blueprint):
    """A blueprint of anonymous pages inside one community, gated on ``module``."""

    module: str | None = None


def _error_page(exc: HTTPException) -> Response:
    """The error in the pages' own frame (no console menu, no JSON)."""
    return error_page("public/error.html", exc)


def public_pages(
    module: str, import_name: str, *, uploads: Mapping[str, int] | None = None
) -> PublicPages:
    """The anonymous pages of plugin ``module``, under ``/p/<slug>/<module>``, with its
    templates in the plugin's ``templates`` folder (extending ``public/base.html``).

    ``uploads`` gives views (by function name) that take files their larger body limit,
    checked before the CSRF token is read from the form. Views are marked
    :func:`linli.identity.permissions.public`."""
    pages = PublicPages(
        f"{module}_pages",
        import_name,
        url_prefix=f"{PUBLIC_PAGES_PREFIX}/{module}",
        template_folder="templates",
    )
    pages.module = module
    pages.url_value_preprocessor(pop_slug)
    pages.before_request(remember_language)
    pages.before_request(entering(module))
    for view, limit in (uploads or {}).items():
        pages.before_request(body_limit(limit, f"{pages.name}.{view}"))
    pages.before_request(refuse_forged_post)
    pages.register_error_handler(HTTPException, _error_page)
    return pages
