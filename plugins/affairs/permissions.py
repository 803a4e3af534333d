"""The affairs module's permissions and roles (names start with the plugin's name).

``affairs.hotline`` is what the city hotline's bridge holds: an integration client given
the role ``affairs.hotline_bridge`` in its one community (see the core's client roles).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from linli.identity.permissions import Level, Role
from linli.plugins.manifest import PluginPermission

READ = "affairs.read"
WRITE = "affairs.write"
MANAGE = "affairs.manage"
HOTLINE = "affairs.hotline"
HOTLINE_READ = "affairs.hotline_read"
LOOKUP = "residents.lookup"

PERMISSIONS = (
    PluginPermission(READ, Level.READ, _l("See residents' matters, votes and figures")),
    PluginPermission(
        WRITE, Level.WRITE, _l("Enter matters for residents, note progress, record votes")
    ),
    PluginPermission(MANAGE, Level.WRITE, _l("Accept, plan, finish, publish and close matters")),
    PluginPermission(HOTLINE, Level.WRITE, _l("Exchange tickets with the city hotline (12345)")),
    PluginPermission(HOTLINE_READ, Level.READ, _l("Follow the city hotline's tickets and updates")),
)
ROLES = (
    Role("affairs.handler", _l("Matters handler"), frozenset({READ, WRITE, LOOKUP})),
    Role(
        "affairs.coordinator", _l("Matters coordinator"), frozenset({READ, WRITE, MANAGE, LOOKUP})
    ),
    Role("affairs.hotline_bridge", _l("City hotline bridge"), frozenset({HOTLINE, HOTLINE_READ})),
)
