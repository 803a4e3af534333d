"""The partner units module's manifest: everything the core needs to know, in one object."""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from linli.plugins.manifest import PluginManifest, Schedule
from plugins.partners import console, hooks, jobs
from plugins.partners.api import blp, me_blp
from plugins.partners.models import MODELS
from plugins.partners.permissions import PERMISSIONS, ROLES
from plugins.partners.schemas import PartnersSettings

plugin = PluginManifest(
    name="partners",
    title="共建单位",
    title_en="Partner units",
    description="五共共建：资源、需求、项目三张清单，联席会议，活动共办，双报到与服务时长。",
    description_en=(
        "The 五共 partnership model: resources, needs and joint projects, joint meetings and"
        " activities, party members reporting to the community, verified service hours."
    ),
    version="1.0.0",
    blueprint=blp,
    me_blueprint=me_blp,
    models=MODELS,
    settings_schema=PartnersSettings,
    permissions=PERMISSIONS,
    roles=ROLES,
    jobs={"export_list": jobs.export_list, "remind": jobs.remind},
    schedules=(Schedule(job="remind", cron="0 8 * * *"),),
    migrations=Path(__file__).parent / "migrations",
    translations=Path(__file__).parent / "translations",
    console_blueprint=console.bp,
    console_pages=console.PAGES,
    figure_titles={
        "units": _l("Active partner units"),
        "projects_done": _l("Joint projects done"),
        "needs_met": _l("Needs met"),
        "hours": _l("Verified service hours"),
    },
    hooks=hooks,
)
