"""The module's one blueprint, and what its views share."""

from __future__ import annotations

from typing import Any

from flask import g

from linli.api.tenant_api import tenant_blueprint
from linli.plugins.services import current_settings

blp = tenant_blueprint(
    "partners",
    __name__,
    suffix="/partners",
    module="partners",
    description="共建单位 Partner units: 五共, 三张清单, 联席会议, 双报到",
)


def settings() -> dict[str, Any]:
    return current_settings("partners")


def actor() -> str:
    """Who is acting, as the audit log names them (``user:<id>`` or ``client:<id>``)."""
    return str(g.actor)


def display_name() -> str:
    """The caller's name, the default 'person' of the service hours they log."""
    user = getattr(g.get("principal"), "user", None)
    return str(user.display_name) if user is not None else actor()
