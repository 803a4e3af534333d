"""The volunteer module's permissions and roles (names start with the plugin's name)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from linli.identity.permissions import RESIDENTS_LOOKUP, TENANT_READ, Level, Role
from linli.plugins.manifest import PluginPermission

READ = "volunteers.read"
MANAGE = "volunteers.manage"
APPROVE = "volunteers.approve"

PERMISSIONS = (
    PluginPermission(READ, Level.READ, _l("See volunteer teams, volunteers, activities and hours")),
    PluginPermission(
        MANAGE, Level.WRITE, _l("Manage teams, volunteers, activities, sign-ups and certificates")
    ),
    PluginPermission(APPROVE, Level.WRITE, _l("Approve or decline volunteer hours")),
)
ROLES = (
    Role("volunteers.viewer", _l("Volunteer records reader"), frozenset({READ, TENANT_READ})),
    Role(
        "volunteers.team_lead",
        _l("Volunteer team lead"),
        frozenset({READ, APPROVE, TENANT_READ}),
    ),
    Role(
        "volunteers.coordinator",
        _l("Volunteer coordinator"),
        frozenset({READ, MANAGE, APPROVE, TENANT_READ, RESIDENTS_LOOKUP}),
    ),
)
