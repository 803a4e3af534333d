"""Joint meetings and activities, service hours, 双报到 and evaluations, the overview and
its rhythm, exports, reminders, the core's hooks, demo data, and concurrent commitments."""

from __future__ import annotations

import contextlib
import io
import threading
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from linli import db
from linli.outbox.models import OutboxMessage
from linli.residents.people import Resident, ResidentTag
from linli.tenancy.context import tenant_context
from linli.tenancy.models import Tenant
from plugins.partners import demo, hooks, jobs, services
from plugins.partners.models import Project, UnitProfile
from tests.conftest import auth, problem
from tests.plugins.partners.conftest import Call, World, url
from tests.plugins.partners.test_partners_lists import need, project, resource

TODAY = date.today()


def test_meeting_decisions_become_agreed_projects(world: World, call: Call) -> None:
    body = {
        "held_on": (TODAY - timedelta(days=3)).isoformat(),
        "title": "五共联席会议",
        "agenda": "重阳节活动分工",
        "attendance": [{"unit": "shared-unit", "attendees": "陈主任、林干事"}],
    }
    meeting = call("alpha_admin", "post", "alpha", "meetings", json=body)
    assert meeting.status_code == 201, meeting.get_json()
    mid = meeting.get_json()["id"]
    assert meeting.get_json()["attendance"][0]["unit"]["slug"] == "shared-unit"
    offered, wanted = resource(call, "alpha", "shared-unit"), need(call, "alpha")
    decision = {"title": "重阳节茶话会", "need_id": wanted["id"]}
    decision["resources"] = [{"resource_id": offered["id"]}]
    decided = call("alpha_admin", "post", "alpha", f"meetings/{mid}/decisions", json=decision)
    assert decided.status_code == 201, decided.get_json()
    assert decided.get_json()["status"] == "agreed"
    assert decided.get_json()["meeting_id"] == mid
    seen = call("partner_shared", "get", "alpha", f"meetings/{mid}").get_json()
    assert seen["decisions"] == [decided.get_json()["id"]]
    minutes = call("alpha_admin", "patch", "alpha", f"meetings/{mid}", json={"attendance": []})
    assert minutes.get_json()["attendance"] == []
    overview = call("alpha_admin", "get", "alpha", "overview").get_json()
    assert (
        overview["next_meeting_due"] == (TODAY - timedelta(days=3) + timedelta(days=30)).isoformat()
    )
    assert overview["projects"]["agreed"] == 1


def test_activities_with_units_and_headcounts(world: World, call: Call) -> None:
    body = {
        "title": "小区睦邻节",
        "held_on": TODAY.isoformat(),
        "place": "邻里活动中心",
        "residents_served": 200,
        "units": [{"unit": "shared-unit", "headcount": 6}, {"unit": "beta-unit", "headcount": 4}],
    }
    response = call("beta_admin", "post", "beta", "activities", json=body)
    assert response.status_code == 201, response.get_json()
    counts = {u["unit"]["slug"]: u["headcount"] for u in response.get_json()["units"]}
    assert counts == {"shared-unit": 6, "beta-unit": 4}
    twice = body | {"units": [{"unit": "beta-unit", "headcount": 1}] * 2}
    assert problem(call("beta_admin", "post", "beta", "activities", json=twice))["code"] == (
        "validation_failed"
    )
    only = body | {"units": [{"unit": "shared-unit", "headcount": 3}]}
    call("beta_admin", "post", "beta", "activities", json=only)
    assert len(call("partner_beta", "get", "beta", "activities").get_json()) == 1
    assert len(call("partner_shared", "get", "beta", "activities").get_json()) == 2


def test_hours_are_logged_by_the_unit_and_verified_by_staff(world: World, call: Call) -> None:
    entry = {"served_on": TODAY.isoformat(), "hours": 3, "content": "重阳节茶话会服务"}
    logged = call("partner_shared", "post", "alpha", "hours", json=entry)
    assert logged.status_code == 201, logged.get_json()
    assert logged.get_json()["person"] == "shared-unit member"
    assert logged.get_json()["status"] == "pending"
    hid = logged.get_json()["id"]
    too_much = call("partner_shared", "post", "alpha", "hours", json=entry | {"hours": 6})
    assert problem(too_much)["errors"]["json"]["hours"]  # 3 + 6 > the daily cap of 8
    verdict = f"hours/{hid}/verification"
    assert call(
        "partner_shared", "post", "alpha", verdict, json={"verified": True}
    ).status_code == (403)
    assert call("alpha_staff", "post", "alpha", verdict, json={"verified": True}).status_code == 200
    again = call("alpha_admin", "post", "alpha", verdict, json={"verified": False})
    assert problem(again)["code"] == "already_verified"
    assert problem(call("partner_shared", "delete", "alpha", f"hours/{hid}"))["code"] == (
        "already_verified"
    )
    assert call("alpha_admin", "get", "alpha", "overview").get_json()["verified_hours"] == 3.0
    assert call("partner_beta", "get", "beta", "hours").get_json() == []
    year = call("partner_shared", "get", "alpha", f"hours?year={TODAY.year}&status=verified")
    assert [h["id"] for h in year.get_json()] == [hid]


def _working_party_member(app: Flask, world: World, name: str, tagged: bool = True) -> str:
    with (
        app.app_context(),
        tenant_context(world.ref("alpha")),
        db.database().session_scope() as session,
    ):
        person = Resident(name=name, gender="male", birth_date=date(1986, 5, 4), purpose="test")
        session.add(person)
        session.flush()
        if tagged:
            session.add(ResidentTag(resident_id=person.id, code="working_party_member"))
        return str(person.id)


def test_double_reporting_tasks_and_the_yearly_evaluation(
    app: Flask, world: World, call: Call
) -> None:
    untagged = _working_party_member(app, world, "王五", tagged=False)
    body = {"resident_id": untagged, "unit": "shared-unit"}
    assert problem(call("alpha_admin", "post", "alpha", "party-members", json=body))["errors"]
    body["resident_id"] = _working_party_member(app, world, "李明")
    member = call("alpha_admin", "post", "alpha", "party-members", json=body)
    assert member.status_code == 201, member.get_json()
    assert member.get_json()["name"] == "李明"
    mid = member.get_json()["id"]
    assert problem(call("alpha_admin", "post", "alpha", "party-members", json=body))["code"] == (
        "already_reported"
    )
    task = call(
        "alpha_admin", "post", "alpha", f"party-members/{mid}/tasks", json={"title": "政策宣讲"}
    )
    assert task.status_code == 201
    done = call(
        "alpha_admin",
        "patch",
        "alpha",
        f"tasks/{task.get_json()['id']}",
        json={"done_on": TODAY.isoformat()},
    )
    assert done.get_json()["done_on"] == TODAY.isoformat()
    served = {
        "served_on": TODAY.isoformat(),
        "hours": 2,
        "content": "楼道宣讲",
        "party_member_id": mid,
    }
    logged = call("partner_shared", "post", "alpha", "hours", json=served).get_json()
    assert logged["person"] == "李明"
    call(
        "alpha_admin",
        "post",
        "alpha",
        f"hours/{logged['id']}/verification",
        json={"verified": True},
    )
    grade = {"year": TODAY.year, "party_member_id": mid, "grade": "excellent", "comment": "积极"}
    graded = call("alpha_admin", "post", "alpha", "evaluations", json=grade)
    assert graded.status_code == 201, graded.get_json()
    assert graded.get_json()["verified_hours"] == 2.0
    assert graded.get_json()["tasks_done"] == 1
    assert problem(call("alpha_admin", "post", "alpha", "evaluations", json=grade))["code"] == (
        "already_evaluated"
    )
    unit_grade = {"year": TODAY.year, "unit": "shared-unit", "grade": "good"}
    assert call("alpha_admin", "post", "alpha", "evaluations", json=unit_grade).status_code == 201
    assert problem(call("alpha_admin", "post", "alpha", "evaluations", json=unit_grade))[
        "code"
    ] == ("already_evaluated")
    seen = call("partner_shared", "get", "alpha", f"evaluations?year={TODAY.year}").get_json()
    assert sorted(e["grade"] for e in seen) == ["excellent", "good"]
    assert call("partner_beta", "get", "beta", "party-members").get_json() == []


def test_list_exports_run_as_jobs_and_open_in_excel(
    world: World, call: Call, client: FlaskClient
) -> None:
    project(call, "alpha", "shared-unit")
    call(
        "alpha_admin",
        "post",
        "alpha",
        "needs",
        json={"title": "=HYPERLINK(1)", "category": "养老服务"},
    )
    for which, header in (("projects", "项目"), ("needs", "需求"), ("units", "共建单位")):
        job = client.post(url("alpha", f"exports?list={which}"), headers=auth("alpha_admin"))
        assert job.status_code == 202, job.get_json()
        assert job.get_json()["status"] == "finished", job.get_json()
        file = client.get(
            f"/api/v1/t/alpha/jobs/{job.get_json()['id']}/file", headers=auth("alpha_admin")
        )
        sheet = load_workbook(io.BytesIO(file.data)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == header
        assert len(rows) >= 2
        if which == "needs":
            assert "'=HYPERLINK(1)" in [r[0] for r in rows]
    assert (
        problem(client.post(url("alpha", "exports?list=secrets"), headers=auth("alpha_admin")))[
            "code"
        ]
        == "validation_failed"
    )


def test_reminders_follow_the_rhythm(app: Flask, world: World, call: Call) -> None:
    held = TODAY - timedelta(days=10)
    call(
        "alpha_admin",
        "post",
        "alpha",
        "meetings",
        json={"held_on": held.isoformat(), "title": "联席会议"},
    )
    due = held + timedelta(days=30)
    with app.app_context(), tenant_context(world.ref("alpha")):
        early = jobs.remind(today=due - timedelta(days=4))
        on_time = jobs.remind(today=due - timedelta(days=3))
        sent = db.session().scalars(select(OutboxMessage.recipient)).all()
    assert early == {"reminded": [], "to": 0}
    assert on_time["reminded"] == ["meeting"]
    assert sorted(sent) == ["alpha_admin@linli.test", "alpha_staff@linli.test"]


def test_statistics_and_export_hooks(app: Flask, world: World, call: Call) -> None:
    made = project(call, "alpha", "shared-unit")
    for who, status in (("alpha_admin", "agreed"), ("partner_shared", "in_progress")):
        call(who, "post", "alpha", f"projects/{made['id']}/status", json={"status": status})
    call(
        "partner_shared",
        "post",
        "alpha",
        f"projects/{made['id']}/status",
        json={"status": "done", "result": "完成"},
    )
    with app.app_context(), tenant_context(world.ref("alpha")):
        tenant = db.session().get(Tenant, world.ref("alpha").id)
        stats = hooks.bureau_statistics(tenant=tenant)["partners"]
        archive = hooks.export_tenant_data(tenant=tenant)["partners"]
    assert stats == {"units": 1, "projects_done": 1, "needs_met": 1, "hours": 0.0}
    assert [p["title"] for p in archive["projects"]] == ["shared-unit 普法进社区"]
    assert {u["unit"]["slug"] for u in archive["units"]} == {"shared-unit", "ended-unit"}


def test_demo_seed_is_real_idempotent_and_gives_fulian_both_communities(
    app: Flask, world: World
) -> None:
    with app.app_context():
        session = db.session()
        fubai = session.scalars(select(Tenant).where(Tenant.slug == "alpha")).one()
        fubai.slug = "fubai"  # the plan is chosen by the community's slug
        session.commit()
        with tenant_context(world.ref("alpha")):
            demo.seed(session, fubai)
            session.commit()
            profiles = session.scalars(select(UnitProfile)).all()
            demo.seed(session, fubai)
            session.commit()
            assert len(session.scalars(select(UnitProfile)).all()) == len(profiles)
            titles = set(session.scalars(select(Project.title)))
    assert len(profiles) == 15  # 16 at 福百社区 with 福清市妇联, which linli.demo partners
    assert "重阳节茶话会与慰问品上门" in titles


@pytest.mark.postgres
def test_two_projects_racing_for_the_last_place_cannot_both_get_it(
    app: Flask, world: World, call: Call, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both requests are held right after reading what is committed, until the other one
    gets there too: without the row lock both read "nothing used" and both commit; with
    it the second waits on the lock, so the first is let go alone (the barrier gives up)
    and the second reads the first's commitment."""
    offered = resource(call, "alpha", "shared-unit", quantity=1)
    needs = [need(call, "alpha")["id"] for _ in range(2)]
    meet = threading.Barrier(2, timeout=3)
    read = services.committed

    def committed_then_wait(*args: Any) -> dict[Any, int]:
        found = read(*args)
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait()
        return found

    monkeypatch.setattr(services, "committed", committed_then_wait)
    answers: list[int] = []

    def claim(need_id: str) -> None:
        body = {"title": "抢占", "need_id": need_id}
        body["resources"] = [{"resource_id": offered["id"], "quantity": 1}]
        response = app.test_client().post(
            url("alpha", "projects"), headers=auth("alpha_admin"), json=body
        )
        answers.append(response.status_code)

    threads = [threading.Thread(target=claim, args=(n,)) for n in needs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201, 409]
    monkeypatch.undo()
    used = call("alpha_admin", "get", "alpha", f"resources/{offered['id']}").get_json()
    assert used["committed"] == 1
