"""Case numbers, the committee's make-up, halls and mediators, settings, bad input,
figures, the reminder job and the tenant export."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from linli import db
from linli.outbox.models import OutboxMessage
from linli.residents.people import Resident
from linli.tenancy.context import tenant_context
from linli.tenancy.models import Tenant
from plugins.mediation import hooks
from plugins.mediation.jobs import remind_overdue
from tests.conftest import Communities, auth, problem
from tests.mediation_support import (
    ALPHA,
    BETA,
    PHONE,
    TODAY,
    Mediators,
    bearer,
    case_body,
    enable,
    mediators_fixture,  # noqa: F401  (the fixture)
    ok,
    register,
    step,
    to_mediating,
)


def test_numbers_run_per_community_and_year(client: FlaskClient, mediators: Mediators) -> None:
    first, second = register(client), register(client)
    last_year = register(
        client, filed_on=(TODAY.replace(month=1, day=1) - timedelta(1)).isoformat()
    )
    beta = ok(client.post(f"{BETA}/cases", headers=auth("beta_admin"), json=case_body()), 201)
    assert first["number"] == f"（{TODAY.year}）福百人调字第1号"
    assert second["number"] == f"（{TODAY.year}）福百人调字第2号"
    assert last_year["number"] == f"（{TODAY.year - 1}）福百人调字第1号"
    assert beta["number"] == f"（{TODAY.year}）菖蒲人调字第1号"
    enable(client, "alpha", number_prefix="融城")
    assert register(client)["number"] == f"（{TODAY.year}）融城人调字第3号"


@pytest.mark.postgres
def test_concurrent_registrations_get_distinct_numbers(app: Flask, mediators: Mediators) -> None:
    """Real threads, each with its own client, app context and database session."""
    workers = 8
    barrier = threading.Barrier(workers)
    numbers: list[str] = []
    failures: list[str] = []

    def file_one() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(f"{ALPHA}/cases", headers=auth("alpha_admin"), json=case_body())
        if response.status_code == 201:
            numbers.append(response.get_json()["number"])
        else:
            failures.append(response.get_data(as_text=True)[:200])

    threads = [threading.Thread(target=file_one) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    expected = {f"（{TODAY.year}）福百人调字第{n}号" for n in range(1, workers + 1)}
    assert sorted(numbers) == sorted(expected)


def test_committee_make_up_is_checked_with_warnings(
    client: FlaskClient, mediators: Mediators
) -> None:
    empty = ok(client.get(f"{ALPHA}/committee", headers=bearer("li")))
    assert empty["name"] == "福百社区人民调解委员会"
    assert {w["code"] for w in empty["warnings"]} == {
        "committee_size",
        "committee_no_woman",
        "committee_director",
    }
    admin = auth("alpha_admin")
    for key, role in (("wang", "director"), ("elder", "member")):
        ok(
            client.patch(
                f"{ALPHA}/mediators/{mediators.ids[key]}",
                headers=admin,
                json={"committee_role": role},
            )
        )
    ok(
        client.post(
            f"{ALPHA}/mediators",
            headers=admin,
            json={"name": "黄律师", "kind": "lawyer", "committee_role": "member"},
        ),
        201,
    )
    men_only = ok(client.get(f"{ALPHA}/committee", headers=admin))
    assert [w["code"] for w in men_only["warnings"]] == ["committee_no_woman"]
    ok(
        client.patch(
            f"{ALPHA}/mediators/{mediators.ids['li']}",
            headers=admin,
            json={"committee_role": "deputy"},
        )
    )
    complete = ok(client.get(f"{ALPHA}/committee", headers=admin))
    assert (complete["size"], complete["women"], complete["warnings"]) == (4, 1, [])


def test_halls_and_mediators(client: FlaskClient, communities: Communities) -> None:
    enable(client)
    admin = auth("alpha_admin")
    hall = ok(
        client.post(
            f"{ALPHA}/halls",
            headers=admin,
            json={
                "name": "诚丰世纪园邻和议事厅",
                "place": "诚丰世纪园3号楼架空层",
                "compound_id": str(communities.alpha.compounds[0]),
                "opening_hours": "周一至周五 9:00-17:00",
            },
        ),
        201,
    )
    pavilion = {"name": "邻和议事亭", "kind": "pavilion"}
    ok(client.post(f"{ALPHA}/halls", headers=admin, json=pavilion), 201)
    assert problem(client.post(f"{ALPHA}/halls", headers=admin, json=pavilion))["code"] == (
        "name_taken"
    )
    foreign = client.post(
        f"{ALPHA}/halls",
        headers=admin,
        json={"name": "外", "compound_id": str(communities.beta.compounds[0])},
    )
    assert "compound_id" in problem(foreign)["errors"]["json"]
    closed = ok(client.patch(f"{ALPHA}/halls/{hall['id']}", headers=admin, json={"active": False}))
    assert closed["active"] is False
    kinds = [h["kind"] for h in ok(client.get(f"{ALPHA}/halls", headers=admin))]
    assert kinds == ["hall", "pavilion"]
    lawyer = ok(
        client.post(
            f"{ALPHA}/mediators",
            headers=admin,
            json={
                "name": "黄律师",
                "kind": "lawyer",
                "specialities": ["物业纠纷", "合同"],
            },
        ),
        201,
    )
    assert lawyer["specialities"] == ["物业纠纷", "合同"]
    unknown_user = client.post(
        f"{ALPHA}/mediators",
        headers=admin,
        json={"name": "某", "user_id": "00000000-0000-0000-0000-000000000000"},
    )
    assert "user_id" in problem(unknown_user)["errors"]["json"]


def test_bad_input_is_422_naming_the_field(
    app: Flask, client: FlaskClient, mediators: Mediators, communities: Communities
) -> None:
    with app.app_context(), tenant_context(communities.beta.ref):
        outsider = Resident(name="菖蒲居民", gender="female", purpose="test")
        db.session().add(outsider)
        db.session().commit()
        outsider_id = str(outsider.id)
    admin = auth("alpha_admin")
    cases = f"{ALPHA}/cases"
    only_applicants = case_body()
    only_applicants["parties"][1]["side"] = "applicant"
    bad = {
        "category": case_body(category="astrology"),
        "parties": only_applicants,
        "filed_on": case_body(filed_on=(TODAY + timedelta(days=1)).isoformat()),
        "hall_id": case_body(hall_id="00000000-0000-0000-0000-000000000001"),
        "title": case_body(title="\u202e反转"),
    }
    for field, body in bad.items():
        errors = problem(client.post(cases, headers=admin, json=body))["errors"]["json"]
        assert field in errors, (field, errors)
    nobody = case_body()
    nobody["parties"][0] = {"side": "applicant"}
    assert problem(client.post(cases, headers=admin, json=nobody))["status"] == 422
    phone = case_body()
    phone["parties"][0]["phone"] = "call me"
    assert problem(client.post(cases, headers=admin, json=phone))["status"] == 422
    resident = case_body()
    resident["parties"][0] = {"side": "applicant", "resident_id": outsider_id}
    errors = problem(client.post(cases, headers=admin, json=resident))["errors"]["json"]
    assert "parties.0.resident_id" in errors
    for query in ("state=lost", "overdue=maybe", "page=0"):
        assert client.get(f"{cases}?{query}", headers=admin).status_code == 422
    case = register(client)
    assert (
        step(client, case["id"], "mediators", {"mediator_ids": []}, method="put").status_code == 422
    )
    wrong_lead = {"mediator_ids": [mediators.ids["li"]], "lead_id": mediators.ids["wang"]}
    assert (
        "lead_id"
        in problem(step(client, case["id"], "mediators", wrong_lead, method="put"))["errors"][
            "json"
        ]
    )
    assert (
        step(client, case["id"], "documents", {"codes": ["forged"]}, method="put").status_code
        == 422
    )
    settings = client.put(
        "/api/v1/t/alpha/modules/mediation",
        headers=admin,
        json={"enabled": True, "settings": {"accept_within_days": 0}},
    )
    assert "accept_within_days" in str(problem(settings)["errors"])


def test_a_resident_party_is_shown_from_the_registry(
    app: Flask, client: FlaskClient, mediators: Mediators, communities: Communities
) -> None:
    with app.app_context(), tenant_context(communities.alpha.ref):
        resident = Resident(name="苏阿姨", gender="female", purpose="test")
        db.session().add(resident)
        db.session().commit()
        resident_id = str(resident.id)
    body = case_body()
    body["parties"][0] = {"side": "applicant", "resident_id": resident_id, "phone": PHONE}
    case = ok(client.post(f"{ALPHA}/cases", headers=auth("alpha_admin"), json=body), 201)
    party = case["parties"][0]
    assert (party["resident_id"], party["name"], party["phone"]) == (resident_id, "苏阿姨", PHONE)


def test_figures_documents_reminders_and_export(
    app: Flask, client: FlaskClient, mediators: Mediators, communities: Communities
) -> None:
    resolved = to_mediating(client, mediators)
    ok(step(client, resolved["id"], "resolve", {"agreement_kind": "oral", "terms": "约定"}))
    failed = to_mediating(client, mediators, category="noise")
    ok(step(client, failed["id"], "fail", {"reason": "分歧", "referral": "arbitration"}))
    late = register(client, filed_on=(TODAY - timedelta(days=20)).isoformat())
    ok(step(client, late["id"], "mediators", {"mediator_ids": [mediators.ids["li"]]}, method="put"))
    figures = ok(client.get(f"{ALPHA}/statistics", headers=bearer("wang")))
    assert (figures["cases"], figures["resolved"], figures["failed"], figures["open"]) == (
        3,
        1,
        1,
        1,
    )
    assert figures["success_rate"] == 0.5
    assert figures["overdue"] == 1
    assert figures["by_category"] == {"water_leak": 2, "noise": 1}
    assert figures["by_state"] == {"resolved": 1, "failed": 1, "filed": 1}
    assert sum(figures["by_month"].values()) == 3
    assert figures["average_days"]["to_accept"] == 0
    li = next(m for m in figures["by_mediator"] if m["name"] == "李调解员")
    assert (li["cases"], li["resolved"], li["failed"]) == (3, 1, 1)
    assert ok(client.get(f"{ALPHA}/statistics?year=2001", headers=bearer("wang")))["cases"] == 0

    checklist = ok(
        step(client, resolved["id"], "documents", {"codes": ["evidence"]}, who="li", method="put")
    )
    evidence = next(i for i in checklist["items"] if i["code"] == "evidence")
    assert (evidence["required"], evidence["present"]) == (False, True)

    with app.app_context(), tenant_context(communities.alpha.ref):
        tenant = db.session().get(Tenant, communities.alpha.ref.id)
        assert hooks.bureau_statistics(tenant)["mediation"]["success_rate"] == 0.5
        exported = hooks.export_tenant_data(tenant)["mediation"]
        assert len(exported["cases"]) == 3
        assert PHONE not in str(exported)
        assert "139****2345" in str(exported)
        assert remind_overdue() == {"overdue": 1, "reminded": 1}
        sent = (
            db.session()
            .scalars(
                select(OutboxMessage).where(OutboxMessage.recipient == "mediator-li@linli.test")
            )
            .one()
        )
        assert late["number"] in sent.body
        assert "林秀英" not in sent.body
