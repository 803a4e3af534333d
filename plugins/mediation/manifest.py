"""The mediation module's manifest: everything the core needs to know, in one object."""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from linli.plugins.manifest import ConsolePage, PluginManifest, Schedule
from plugins.mediation import hooks
from plugins.mediation.api import blp
from plugins.mediation.console import bp as console_bp
from plugins.mediation.jobs import remind_overdue
from plugins.mediation.models import MODELS
from plugins.mediation.permissions import PERMISSIONS, READ, ROLES
from plugins.mediation.schemas import MediationSettings

plugin = PluginManifest(
    name="mediation",
    title="邻和议事厅",
    title_en="Mediation halls",
    description="人民调解：议事厅与调解员，纠纷登记、受理、调解、协议书、回访，期限提醒与统计。",
    description_en=(
        "People's mediation: halls and mediators; disputes from registration through "
        "mediation and agreement to the visit back, with deadlines and figures."
    ),
    version="1.0.0",
    blueprint=blp,
    models=MODELS,
    settings_schema=MediationSettings,
    permissions=PERMISSIONS,
    roles=ROLES,
    jobs={"remind_overdue": remind_overdue},
    schedules=(Schedule(job="remind_overdue", cron="0 8 * * *"),),
    migrations=Path(__file__).parent / "migrations",
    translations=Path(__file__).parent / "translations",
    console_blueprint=console_bp,
    console_pages=(ConsolePage("cases", _l("Mediation cases"), READ),),
    figure_titles={
        "cases": _l("Cases"),
        "resolved": _l("Resolved"),
        "failed": _l("Mediation failed"),
        "open": _l("Open"),
        "overdue": _l("Overdue"),
        "success_rate": _l("Success rate"),
    },
    hooks=hooks,
)
