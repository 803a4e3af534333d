"""The partner units module's permissions and roles.

Community staff get ``partners.staff`` through their membership; a partner unit's members
get ``partners.unit`` through the partnership's roles (so ending the partnership cuts
their access at once, the core recomputing roles on every request). ``contribute`` is
what a unit does for itself: offer resources, report on its projects, log its hours.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from linli.identity.permissions import Level, Role
from linli.plugins.manifest import PluginPermission

READ = "partners.read"
CONTRIBUTE = "partners.contribute"
MANAGE = "partners.manage"

UNIT_ROLE = "partners.unit"
STAFF_ROLE = "partners.staff"

PERMISSIONS = (
    PluginPermission(READ, Level.READ, _l("See partner units, the three lists and meetings")),
    PluginPermission(
        CONTRIBUTE, Level.WRITE, _l("Offer resources, report on projects and log service hours")
    ),
    PluginPermission(
        MANAGE, Level.WRITE, _l("Manage partnerships, needs, projects, meetings and evaluations")
    ),
)
ROLES = (
    Role(UNIT_ROLE, _l("Partner unit member"), frozenset({READ, CONTRIBUTE})),
    Role(
        STAFF_ROLE,
        _l("Partner units coordinator"),
        frozenset({READ, CONTRIBUTE, MANAGE, "residents.lookup"}),
    ),
)
