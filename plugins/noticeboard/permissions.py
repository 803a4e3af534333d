"""The notice board's permissions and role (names start with the plugin's name)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from linli.identity.permissions import Level, Role
from linli.plugins.manifest import PluginPermission

READ = "noticeboard.read"
WRITE = "noticeboard.write"

PERMISSIONS = (
    PluginPermission(READ, Level.READ, _l("Read notices")),
    PluginPermission(WRITE, Level.WRITE, _l("Post and take down notices")),
)
ROLES = (
    Role("noticeboard.reader", _l("Notice reader"), frozenset({READ})),
    Role("noticeboard.editor", _l("Notice editor"), frozenset({READ, WRITE})),
)
