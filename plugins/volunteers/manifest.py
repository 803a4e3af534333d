"""The volunteer module's manifest: everything the core needs to know, in one object."""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from linli.plugins.manifest import PluginManifest, Schedule
from plugins.volunteers import console, hooks, jobs, transfer
from plugins.volunteers.api import blp
from plugins.volunteers.models import MODELS
from plugins.volunteers.permissions import PERMISSIONS, ROLES
from plugins.volunteers.schemas import VolunteersSettings

plugin = PluginManifest(
    name="volunteers",
    title="志愿服务队",
    title_en="Volunteer teams",
    description="志愿服务队与志愿者、活动排班与报名候补、服务时长审核、星级评定与公示、志愿服务记录证明。",
    description_en=(
        "Volunteer teams and volunteers, activity shifts with sign-ups and waitlists, "
        "verified hours, star ratings with public notice, and service certificates."
    ),
    version="1.0.0",
    blueprint=blp,
    models=MODELS,
    settings_schema=VolunteersSettings,
    permissions=PERMISSIONS,
    roles=ROLES,
    jobs={
        "recalculate_stars": jobs.recalculate_stars,
        "import_volunteers": transfer.import_volunteers,
        "export_records": transfer.export_records,
    },
    schedules=(Schedule(job="recalculate_stars", cron="40 2 * * *"),),
    migrations=Path(__file__).parent / "migrations",
    translations=Path(__file__).parent / "translations",
    console_blueprint=console.bp,
    console_pages=console.PAGES,
    figure_titles={
        "volunteers": _l("Active volunteers"),
        "teams": _l("Volunteer teams"),
        "verified_hours": _l("Verified volunteer hours"),
        "person_times": _l("Person-times served"),
        "people_served": _l("People served"),
    },
    hooks=hooks,
)
