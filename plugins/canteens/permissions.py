"""The canteens' permissions and roles (names start with the plugin's name).

Canteen staff at the till and volunteers' coordinators take orders (``order``); the
canteen's manager also runs menus, capacity, food safety and the subsidy reports
(``manage``). Both pick elders through the core's resident lookup.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from linli.identity.permissions import Level, Role
from linli.plugins.manifest import PluginPermission

READ = "canteens.read"
ORDER = "canteens.order"
MANAGE = "canteens.manage"

PERMISSIONS = (
    PluginPermission(READ, Level.READ, _l("See canteens, menus, elders and orders")),
    PluginPermission(ORDER, Level.WRITE, _l("Take orders, check diners in, confirm deliveries")),
    PluginPermission(MANAGE, Level.WRITE, _l("Run canteens, menus, food samples and reports")),
)
ROLES = (
    Role(
        "canteens.operator",
        _l("Canteen operator"),
        frozenset({READ, ORDER, "residents.lookup"}),
    ),
    Role(
        "canteens.manager",
        _l("Canteen manager"),
        frozenset({READ, ORDER, MANAGE, "residents.lookup"}),
    ),
)
