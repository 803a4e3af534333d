"""The notice board's manifest: everything the core needs to know, in one object."""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from linli.plugins.manifest import PluginManifest, Schedule
from plugins.noticeboard import hooks
from plugins.noticeboard.api import blp
from plugins.noticeboard.jobs import purge_expired
from plugins.noticeboard.models import Notice
from plugins.noticeboard.permissions import PERMISSIONS, ROLES
from plugins.noticeboard.schemas import NoticeboardSettings

plugin = PluginManifest(
    name="noticeboard",
    title="公告栏",
    title_en="Notice board",
    description="发布社区公告，可面向全社区或某个小区，支持置顶。",
    description_en="Community notices, for everyone or one compound, with pinning.",
    version="1.0.0",
    blueprint=blp,
    models=(Notice,),
    settings_schema=NoticeboardSettings,
    permissions=PERMISSIONS,
    roles=ROLES,
    jobs={"purge_expired": purge_expired},
    schedules=(Schedule(job="purge_expired", cron="30 3 * * *"),),
    migrations=Path(__file__).parent / "migrations",
    translations=Path(__file__).parent / "translations",
    figure_titles={
        "notices": _l("Notices published"),
        "current": _l("Notices on the board now"),
    },
    hooks=hooks,
)
