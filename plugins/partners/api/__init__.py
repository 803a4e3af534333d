"""``/api/v1/t/<slug>/partners``: the module's endpoints, gated on its enablement.

Views only translate HTTP to the services; the routes are split by subject and all
register on the one blueprint of :mod:`plugins.partners.api.blueprint`.
"""

from __future__ import annotations

from plugins.partners.api import lists, work
from plugins.partners.api.blueprint import blp
from plugins.partners.api.mine import me_blp

__all__ = ["blp", "lists", "me_blp", "work"]
