"""Chinese first, English second: locale negotiation for Flask-Babel.

The Simplified Chinese catalogue lives in ``translations/zh_Hans_CN``: Babel expands
``zh_CN`` to that name, and gettext looks the catalogue up by the expanded name.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import Babel

SUPPORTED_LOCALES = ("zh_CN", "en")
babel = Babel()


def select_locale() -> str:
    """``?lang=``, then the choice remembered by the console, then the browser's
    languages, then the instance default (CLI, jobs)."""
    default: str = current_app.config["LINLI"].default_locale
    if not has_request_context():
        return default
    chosen = request.args.get("lang")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    remembered = session.get("lang")
    if remembered in SUPPORTED_LOCALES:
        return str(remembered)
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    if best is None:
        return default
    return "en" if best == "en" else "zh_CN"
