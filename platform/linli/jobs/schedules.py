"""Periodic jobs declared in plugin manifests, on RQ's own cron scheduler.

``linli scheduler`` registers one cron entry per manifest schedule. When it fires, RQ
enqueues :func:`fan_out`, which enqueues the plugin's job once for every community
where the module is enabled, each under an idempotency key naming the period: a second
scheduler replica, or a repeated fire, cannot run a period twice for a community.
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from flask import Flask
from rq.cron import CronScheduler

from linli import db
from linli.api.tenant_api import module_enabled
from linli.jobs import backend, runner
from linli.jobs.enqueue import enqueue
from linli.jobs.retention import purge_old_results, settle_stale_jobs
from linli.outbox.delivery import deliver_outbox
from linli.tenancy.services import each_tenant

log = structlog.get_logger(__name__)


def fan_out(plugin: str, job: str, period: str | None = None) -> list[str]:
    """Enqueue ``plugin.job`` for each active community with the module on."""
    app = runner.worker_app()
    period = period or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M")
    started: list[str] = []
    with app.app_context():
        for tenant in each_tenant(db.session(), active_only=True):
            if module_enabled(plugin):
                enqueue(
                    f"{plugin}.{job}",
                    user="scheduler",
                    idempotency_key=f"schedule:{plugin}.{job}:{period}",
                )
                started.append(tenant.slug)
    log.info("scheduled job fanned out", job=f"{plugin}.{job}", tenants=len(started))
    return started


def build_scheduler(app: Flask) -> CronScheduler:
    """A CronScheduler holding every installed plugin's schedules."""
    with app.app_context():
        redis = backend.connection()
    if redis is None:
        raise RuntimeError("LINLI_REDIS_URL is not set: there is no queue to schedule into")
    scheduler = CronScheduler(connection=redis, name="linli")
    scheduler.register(deliver_outbox, queue_name="default", interval=60)
    scheduler.register(purge_old_results, queue_name="default", cron="15 4 * * *")
    scheduler.register(settle_stale_jobs, queue_name="default", interval=600)
    for plugin in app.extensions["linli.plugins"].plugins.values():
        for schedule in plugin.schedules:
            scheduler.register(
                fan_out, queue_name="default", args=(plugin.name, schedule.job), cron=schedule.cron
            )
    return scheduler
