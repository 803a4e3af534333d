"""The mediation module's permissions and roles (names start with the plugin's name).

``mediation.confidential`` is what lets a caller see every case's parties: community
admins hold it (they hold every community permission), as does the committee's director;
a mediator sees the parties of the cases they are assigned to, and nobody else does.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from linli.identity.permissions import Level, Role
from linli.plugins.manifest import PluginPermission

READ = "mediation.read"
WRITE = "mediation.write"
MANAGE = "mediation.manage"
CONFIDENTIAL = "mediation.confidential"
LOOKUP = "residents.lookup"

PERMISSIONS = (
    PluginPermission(READ, Level.READ, _l("See halls, mediators, anonymised cases and figures")),
    PluginPermission(WRITE, Level.WRITE, _l("Register disputes and work on assigned cases")),
    PluginPermission(MANAGE, Level.WRITE, _l("Manage halls and mediators, assign cases")),
    PluginPermission(
        CONFIDENTIAL, Level.READ, _l("See the parties of every case (each view audited)")
    ),
)
ROLES = (
    Role("mediation.mediator", _l("Mediator"), frozenset({READ, WRITE, LOOKUP})),
    Role(
        "mediation.director",
        _l("Mediation committee director"),
        frozenset({READ, WRITE, MANAGE, CONFIDENTIAL, LOOKUP}),
    ),
)
