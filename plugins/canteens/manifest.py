"""The elder canteens' manifest: everything the core needs to know, in one object."""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from linli.plugins.manifest import PluginManifest, Schedule
from plugins.canteens import console, hooks
from plugins.canteens.api import blp
from plugins.canteens.jobs import JOBS
from plugins.canteens.models import MODELS
from plugins.canteens.permissions import PERMISSIONS, ROLES
from plugins.canteens.schemas import CanteensSettings

plugin = PluginManifest(
    name="canteens",
    title="长者食堂",
    title_en="Elder canteens",
    description="长者食堂：菜单、补贴档次、集中就餐与送餐入户、留样、助餐补贴月报。",
    description_en=(
        "Elder canteens: menus, subsidy tiers, dine-in and delivery orders, food samples, "
        "monthly subsidy reports."
    ),
    version="1.0.0",
    blueprint=blp,
    models=MODELS,
    settings_schema=CanteensSettings,
    permissions=PERMISSIONS,
    roles=ROLES,
    jobs=JOBS,
    schedules=(
        Schedule(job="place_recurring", cron="0 6 * * *"),
        Schedule(job="subsidy_report", cron="0 3 1 * *"),
    ),
    migrations=Path(__file__).parent / "migrations",
    translations=Path(__file__).parent / "translations",
    console_blueprint=console.bp,
    console_pages=console.PAGES,
    figure_titles={
        "meals_served": _l("Meals served this month"),
        "subsidy_fen": _l("Subsidies this month (fen)"),
        "ratings": _l("Meal ratings"),
        "average": _l("Average rating (1–5)"),
    },
    hooks=hooks,
)
