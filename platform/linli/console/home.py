"""The console's front door: where the caller can act (communities, bureau)."""

from __future__ import annotations

from flask import render_template

from linli.console.pages import callers_communities, console_blueprint
from linli.identity.access import authenticate
from linli.identity.permissions import authenticated, registry

bp = console_blueprint("console_home", __name__)


@bp.get("/")
@authenticated
def index() -> str:
    principal = authenticate(allow_session=True)
    assert principal is not None  # the console's before_request sent strangers to log in
    communities = [
        (tenant, [registry.roles[r].title for r in sorted(roles) if r in registry.roles])
        for tenant, roles in callers_communities()
    ]
    return render_template("console/home.html", communities=communities, user=principal.user)
