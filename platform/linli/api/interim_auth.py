"""INTERIM platform-admin check, until the identity issue brings real accounts.

One shared bearer token (``LINLI_INTERIM_ADMIN_TOKEN`` or ``instance/interim-admin-token``)
guards every API endpoint; with no token configured every call is refused. Deny by
default: nothing under ``/api/v1`` is reachable without it.
"""

from __future__ import annotations

import hmac

from flask import current_app, request
from flask_babel import lazy_gettext as _l

from linli.api.problems import Problem

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="linli"'}


def require_interim_admin() -> None:
    expected: str | None = current_app.config["LINLI"].interim_admin_token
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    if (
        not expected
        or scheme.lower() != "bearer"
        or not hmac.compare_digest(presented.strip().encode(), expected.encode())
    ):
        raise Problem(
            401,
            "unauthorized",
            _l("Authentication is required"),
            _l("Send the platform admin token as a Bearer token."),
            headers=CHALLENGE,
        )
