"""The mediation module's manifest: everything the core needs to know, in one object."""

from __future__ import annotations

from pathlib import Path

from linli.plugins.manifest import PluginManifest, Schedule
from plugins.mediation import hooks
from plugins.mediation.api import blp
from plugins.mediation.jobs import remind_overdue
from plugins.mediation.models import MODELS
from plugins.mediation.permissions import PERMISSIONS, ROLES
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
    hooks=hooks,
)
