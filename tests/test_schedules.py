"""Periodic jobs from manifests: registered on RQ's cron scheduler, fanned out to the
communities where the module is on, once per period."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import select

from linli import db
from linli.app import create_app
from linli.config import Settings
from linli.jobs.models import JobRecord
from linli.jobs.schedules import build_scheduler, fan_out
from linli.tenancy.context import tenant_context
from plugins.noticeboard.models import Notice
from tests.conftest import Communities, auth


def _enable(app: Flask, slug: str, who: str) -> None:
    response = app.test_client().put(
        f"/api/v1/t/{slug}/modules/noticeboard",
        headers=auth(who),
        json={"enabled": True, "settings": {"keep_days": 10}},
    )
    assert response.status_code == 200


def test_scheduler_registers_every_manifest_schedule(settings: Settings, redis_url: str) -> None:
    app = create_app(settings.with_overrides(redis_url=redis_url))
    jobs = build_scheduler(app).get_jobs()
    found = [(job.func.__name__, job.args, job.cron, job.interval) for job in jobs]
    assert found[:3] == [
        ("deliver_outbox", (), None, 60),
        ("purge_old_results", (), "15 4 * * *", None),
        ("settle_stale_jobs", (), None, 600),
    ]
    declared = [
        ("fan_out", (plugin.name, schedule.job), schedule.cron, None)
        for plugin in app.extensions["linli.plugins"].plugins.values()
        for schedule in plugin.schedules
    ]
    assert sorted(found[3:]) == sorted(declared)
    assert ("fan_out", ("noticeboard", "purge_expired"), "30 3 * * *", None) in declared


def test_fan_out_runs_where_enabled_once_per_period(app: Flask, communities: Communities) -> None:
    _enable(app, "alpha", "alpha_admin")
    old, fresh = date.today() - timedelta(days=30), date.today() + timedelta(days=3)
    with app.app_context():
        for ref in (communities.alpha.ref, communities.beta.ref):
            with tenant_context(ref), db.database().session_scope() as session:
                session.add_all(
                    [
                        Notice(title="旧", body="x", visible_until=old),
                        Notice(title="新", body="y", visible_until=fresh),
                    ]
                )
        assert fan_out("noticeboard", "purge_expired", "2026-11-25T03:30") == ["alpha"]
        assert fan_out("noticeboard", "purge_expired", "2026-11-25T03:30") == ["alpha"]
        with tenant_context(communities.alpha.ref):
            records = db.session().scalars(select(JobRecord)).all()
            titles = db.session().scalars(select(Notice.title)).all()
        with tenant_context(communities.beta.ref):
            beta_titles = sorted(db.session().scalars(select(Notice.title)).all())
            beta_jobs = db.session().scalars(select(JobRecord)).all()
    assert [(r.kind, r.status, r.result) for r in records] == [
        ("noticeboard.purge_expired", "finished", {"deleted": 1})
    ]
    assert titles == ["新"]
    assert beta_titles == sorted(["旧", "新"])
    assert beta_jobs == []
