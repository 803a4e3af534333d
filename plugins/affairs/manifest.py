"""The affairs module's manifest: everything the core needs to know, in one object."""

from __future__ import annotations

from pathlib import Path

from linli.plugins.manifest import PluginManifest, Schedule
from plugins.affairs import hooks
from plugins.affairs.api import blp
from plugins.affairs.console import PAGES
from plugins.affairs.console import bp as console_bp
from plugins.affairs.jobs import remind_overdue
from plugins.affairs.labels import FIGURES
from plugins.affairs.models import MODELS
from plugins.affairs.permissions import PERMISSIONS, ROLES
from plugins.affairs.public_api import blp as public_blp
from plugins.affairs.public_pages import pages as public_pages
from plugins.affairs.schemas import AffairsSettings

plugin = PluginManifest(
    name="affairs",
    title="民生实事",
    title_en="Resident affairs",
    description=(
        "六事/五事：民情二维码提事、当天线上投票议事、次日理事、一周内办事、晒事与评事；"
        "实事微清单一问题一建档、一办结一销号；与12345热线互转。"
    ),
    description_en=(
        "Residents' matters in the open: QR intake, a same-day vote, a plan the next day, "
        "done within a week, published and rated; a tracked list closed off only on the "
        "resident's word; hand-off to and from the city hotline (12345)."
    ),
    version="1.0.0",
    blueprint=blp,
    public_blueprint=public_blp,
    public_pages=public_pages,
    models=MODELS,
    settings_schema=AffairsSettings,
    permissions=PERMISSIONS,
    roles=ROLES,
    jobs={"remind_overdue": remind_overdue},
    schedules=(Schedule(job="remind_overdue", cron="30 8 * * *"),),
    migrations=Path(__file__).parent / "migrations",
    translations=Path(__file__).parent / "translations",
    console_blueprint=console_bp,
    console_pages=PAGES,
    figure_titles=FIGURES,
    hooks=hooks,
)
