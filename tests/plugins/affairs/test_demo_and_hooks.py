"""菖蒲社区's tracked list (125 matters solved, three open), seeded once; what the module
gives the core: the bureau's figures, the tenant export, a person's data and its erasure;
the overdue reminder."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from flask import Flask
from sqlalchemy import func, select, update

from linli import db
from linli.identity.models import User
from linli.outbox.models import OutboxMessage
from linli.plugins.services import current_settings
from linli.tenancy.context import tenant_context
from linli.tenancy.models import Tenant
from plugins.affairs import hooks, statistics
from plugins.affairs.demo import seed_changpu
from plugins.affairs.jobs import remind_overdue
from plugins.affairs.models import Matter
from tests.plugins.affairs.conftest import Affairs


def test_changpus_tracked_list_is_seeded_once(aff: Affairs) -> None:
    with aff.app.app_context(), tenant_context(aff.communities.beta.ref):
        session = db.session()
        seed_changpu(session)
        session.commit()
        seed_changpu(session)
        session.commit()
        assert session.scalar(select(func.count()).select_from(Matter)) == 128
        figures = statistics.figures(session, current_settings("affairs"))
    assert figures["closed"] == 125
    assert {c["key"] for c in figures["by_category"]} == {
        "admin_service", "volunteer_service", "social_service",
    }  # fmt: skip
    assert figures["by_stage"] == [
        {"key": "deliberate", "count": 1},
        {"key": "execute", "count": 1},
        {"key": "raise", "count": 1},
    ]
    indicators = figures["indicators"]
    assert indicators["completion_rate"] == round(125 / 128, 4)
    assert indicators["on_time_feedback_rate"] == 1.0  # 一周内完成
    assert indicators["satisfaction_rate"] is not None
    assert indicators["satisfaction_rate"] > 0.9
    assert indicators["effective_visit_rate"] == 1.0
    assert 2 <= figures["days_to_close_average"] <= 11
    board = aff.client.get("/api/v1/public/beta/affairs/board?page_size=100")
    assert board.status_code == 200
    assert len(board.get_json()) == 100
    open_vote = aff.get("/matters?stage=deliberate", slug="beta").get_json()[0]
    poll = aff.get(f"/matters/{open_vote['id']}/poll", slug="beta").get_json()
    assert poll["open"] is True
    made = aff.matter(slug="beta")
    assert made["number"] == f"BETA{date.today().year}-0004"  # after the demo's three


def test_hooks_bureau_export_person_and_erasure(aff: Affairs) -> None:
    resident = aff.resident("林阿婆", "13800001111")
    matter = aff.matter(resident_id=resident)
    assert (matter["reporter_name"], matter["reporter_phone_masked"]) == ("林阿婆", "138****1111")
    with aff.app.app_context(), tenant_context(aff.communities.alpha.ref):
        tenant = db.session().get(Tenant, aff.communities.alpha.ref.id)
        assert tenant is not None
        bureau = hooks.bureau_statistics(tenant)["affairs"]
        assert (bureau["matters"], bureau["closed"]) == (1, 0)
        exported = hooks.export_tenant_data(tenant)["affairs"]
        assert [m["number"] for m in exported["matters"]] == [matter["number"]]
        assert "reporter_phone_cipher" not in exported["matters"][0]
        person = hooks.export_person_data(tenant, uuid.UUID(resident))["affairs"]
        assert [m["id"] for m in person["matters"]] == [matter["id"]]
        hooks.erase_person(tenant, uuid.UUID(resident))
        db.session().commit()
    erased = aff.get(f"/matters/{matter['id']}").get_json()
    assert (erased["reporter_name"], erased["reporter_phone_masked"]) == (None, None)


def test_the_overdue_reminder_goes_to_coordinators(aff: Affairs, app: Flask) -> None:
    matter = aff.matter()
    aff.client.patch(
        f"/api/v1/t/alpha/members/{_user_id(app, 'alpha_staff')}",
        headers={"Authorization": "Bearer lin_pat_alpha-admin"},
        json={"roles": ["staff", "affairs.coordinator"]},
    )
    with app.app_context(), tenant_context(aff.communities.alpha.ref):
        assert remind_overdue() == {"overdue": 0, "reminded": 0}
        session = db.session()
        session.execute(update(Matter).values(stage_due_on=date.today() - timedelta(days=2)))
        session.commit()
        assert remind_overdue() == {"overdue": 1, "reminded": 1}
        sent = db.session().scalars(select(OutboxMessage)).all()
    assert [m.recipient for m in sent] == ["alpha_staff@linli.test"]
    assert matter["number"] in sent[0].body
    assert "老电梯" not in sent[0].body


def _user_id(app: Flask, person: str) -> str:
    with app.app_context():
        return str(
            db.session().scalars(select(User.id).where(User.email == f"{person}@linli.test")).one()
        )
