"""A dispute's whole life through the API, the steps taken out of turn, and deadlines."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from tests.conftest import problem
from tests.mediation_support import (
    ALPHA,
    TODAY,
    Mediators,
    bearer,
    mediators_fixture,  # noqa: F401  (the fixture)
    ok,
    register,
    step,
    to_mediating,
)


def test_full_lifecycle_with_a_written_agreement(client: FlaskClient, mediators: Mediators) -> None:
    case = register(client)
    assert case["number"] == f"（{TODAY.year}）福百人调字第1号"
    assert case["state"] == "filed"
    assert case["due_on"] == (TODAY + timedelta(days=3)).isoformat()
    case = to_mediating(client, mediators)
    assert case["number"].endswith("第2号")
    sitting = {
        "held_on": TODAY.isoformat(),
        "attendees": "双方当事人、李调解员",
        "notes": "现场查看",
    }
    after = ok(step(client, case["id"], "sessions", sitting, who="li"), 201)
    assert after["state"] == "mediating"
    assert [s["attendees"] for s in after["sessions"]] == ["双方当事人、李调解员"]
    resolved = ok(
        step(
            client,
            case["id"],
            "resolve",
            {
                "agreement_kind": "written",
                "responsibility": "501室业主承担主要责任",
                "terms": "501室业主负责修复防水层并赔偿401室2000元。",
                "performance": "现金当面支付，于社区邻和议事厅交付",
                "perform_by": (TODAY + timedelta(days=10)).isoformat(),
            },
            who="li",
        )
    )
    assert (resolved["state"], resolved["outcome"]) == ("resolved", "resolved")
    assert resolved["due_on"] == (TODAY + timedelta(days=30)).isoformat()
    signed = ok(step(client, case["id"], "signed", {"signed_on": TODAY.isoformat()}, who="li"))
    assert signed["confirmation_due_on"] == (TODAY + timedelta(days=30)).isoformat()
    ok(step(client, case["id"], "judicial-confirmation", {"applied_on": TODAY.isoformat()}))
    visit = {
        "visited_on": TODAY.isoformat(),
        "visitor": "李调解员",
        "performed": True,
        "satisfaction": 5,
        "findings": "已履行，双方满意，无再起纠纷风险。",
    }
    done = ok(step(client, case["id"], "follow-ups", visit, who="li"), 201)
    assert (done["state"], done["outcome"], done["due_on"]) == ("followed_up", "resolved", None)
    assert done["follow_ups"][0]["satisfaction"] == 5
    checklist = ok(client.get(f"{ALPHA}/cases/{case['id']}/checklist", headers=bearer("li")))
    assert checklist["missing"] == []
    assert checklist["complete"] is True
    present = {item["code"] for item in checklist["items"] if item["present"]}
    assert {"rights_notice", "mediation_record", "agreement", "follow_up_record"} <= present


def test_steps_out_of_turn_are_409(client: FlaskClient, mediators: Mediators) -> None:
    case = register(client)
    for action, body in (
        ("resolve", {"agreement_kind": "oral", "terms": "口头约定"}),
        ("sessions", {"held_on": TODAY.isoformat(), "attendees": "甲", "notes": "乙"}),
        (
            "follow-ups",
            {
                "visited_on": TODAY.isoformat(),
                "visitor": "李",
                "performed": True,
                "satisfaction": 3,
                "findings": "无",
            },
        ),
        ("start", {}),
        ("signed", {"signed_on": TODAY.isoformat()}),
    ):
        response = step(client, case["id"], action, body)
        assert response.status_code == 409, (action, response.get_json())
        assert problem(response)["code"] == "illegal_transition"
    ok(step(client, case["id"], "accept"))
    again = step(client, case["id"], "accept")
    assert problem(again)["code"] == "illegal_transition"
    assert problem(step(client, case["id"], "decline", {"reason": "不属于民间纠纷"}))["code"] == (
        "illegal_transition"
    )
    no_rights = step(client, case["id"], "start")
    assert problem(no_rights)["code"] == "rights_not_notified"
    ok(step(client, case["id"], "rights-notice"))
    assert problem(step(client, case["id"], "start"))["code"] == "no_mediator"
    agreement = client.get(f"{ALPHA}/cases/{case['id']}/agreement", headers=bearer("alpha_admin"))
    assert problem(agreement)["code"] == "illegal_transition"


def test_declined_and_failed_cases(client: FlaskClient, mediators: Mediators) -> None:
    declined = register(client)
    bare = step(client, declined["id"], "decline", {})
    assert problem(bare)["status"] == 422
    out = ok(step(client, declined["id"], "decline", {"reason": "已进入诉讼程序"}))
    assert (out["state"], out["due_on"], out["declined_reason"]) == (
        "declined",
        None,
        "已进入诉讼程序",
    )
    checklist = ok(client.get(f"{ALPHA}/cases/{declined['id']}/checklist", headers=bearer("li")))
    assert "agreement" not in checklist["missing"]
    case = to_mediating(client, mediators)
    failed = ok(
        step(client, case["id"], "fail", {"reason": "双方分歧过大", "referral": "court"}, who="li")
    )
    assert (failed["state"], failed["outcome"], failed["referral"]) == ("failed", "failed", "court")
    checklist = ok(client.get(f"{ALPHA}/cases/{case['id']}/checklist", headers=bearer("li")))
    assert not next(i for i in checklist["items"] if i["code"] == "agreement")["required"]
    assert "mediation_record" in checklist["missing"]


def test_oral_agreement_is_recorded_but_has_no_document(
    client: FlaskClient, mediators: Mediators
) -> None:
    case = to_mediating(client, mediators)
    written_without_terms = step(
        client, case["id"], "resolve", {"agreement_kind": "written", "terms": "赔偿"}
    )
    assert set(problem(written_without_terms)["errors"]["json"]) == {
        "responsibility",
        "performance",
        "perform_by",
    }
    oral = ok(
        step(
            client,
            case["id"],
            "resolve",
            {"agreement_kind": "oral", "terms": "双方口头约定夜间十点后不再跳广场舞"},
        )
    )
    assert oral["agreement_kind"] == "oral"
    agreement = client.get(f"{ALPHA}/cases/{case['id']}/agreement", headers=bearer("alpha_admin"))
    assert problem(agreement)["code"] == "oral_agreement"
    assert problem(step(client, case["id"], "signed", {"signed_on": TODAY.isoformat()}))[
        "code"
    ] == ("oral_agreement")


def test_deadline_flags_and_extension(client: FlaskClient, mediators: Mediators) -> None:
    late = register(client, filed_on=(TODAY - timedelta(days=45)).isoformat())
    assert late["overdue"] is True
    fresh = register(client)
    assert fresh["overdue"] is False
    overdue = client.get(f"{ALPHA}/cases?overdue=true", headers=bearer("alpha_admin")).get_json()
    assert [c["id"] for c in overdue] == [late["id"]]
    on_time = client.get(f"{ALPHA}/cases?overdue=false", headers=bearer("alpha_admin")).get_json()
    assert [c["id"] for c in on_time] == [fresh["id"]]
    accepted = ok(
        step(
            client, late["id"], "accept", {"accepted_on": (TODAY - timedelta(days=40)).isoformat()}
        )
    )
    assert accepted["overdue"] is True
    assert accepted["due_on"] == (TODAY - timedelta(days=10)).isoformat()
    until = (TODAY + timedelta(days=5)).isoformat()
    no_consent = step(
        client,
        late["id"],
        "extension",
        {"until": until, "reason": "当事人外出", "parties_consent": False},
    )
    assert "parties_consent" in problem(no_consent)["errors"]["json"]
    too_far = step(
        client,
        late["id"],
        "extension",
        {
            "until": (TODAY + timedelta(days=60)).isoformat(),
            "reason": "外出",
            "parties_consent": True,
        },
    )
    assert "until" in problem(too_far)["errors"]["json"]
    extended = ok(
        step(
            client,
            late["id"],
            "extension",
            {"until": until, "reason": "当事人外出", "parties_consent": True},
        )
    )
    assert (extended["due_on"], extended["overdue"], extended["extended_until"]) == (
        until,
        False,
        until,
    )


def test_visit_back_falls_due_after_an_agreement(client: FlaskClient, mediators: Mediators) -> None:
    case = register(client, filed_on=(TODAY - timedelta(days=70)).isoformat())
    back = {"accept": 65, "rights-notice": 64, "start": 60}
    dates = {"accept": "accepted_on", "rights-notice": "notified_on", "start": "started_on"}
    for action, days in back.items():
        if action == "start":
            step(
                client,
                case["id"],
                "mediators",
                {"mediator_ids": [mediators.ids["li"]]},
                method="put",
            )
        ok(step(client, case["id"], action, {dates[action]: (TODAY - timedelta(days)).isoformat()}))
    before_start = step(
        client,
        case["id"],
        "resolve",
        {
            "agreement_kind": "oral",
            "terms": "约定",
            "closed_on": (TODAY - timedelta(61)).isoformat(),
        },
    )
    assert "closed_on" in problem(before_start)["errors"]["json"]
    resolved = ok(
        step(
            client,
            case["id"],
            "resolve",
            {
                "agreement_kind": "oral",
                "terms": "约定",
                "closed_on": (TODAY - timedelta(45)).isoformat(),
            },
        )
    )
    assert resolved["overdue"] is True  # the visit back was due 15 days ago
    mine = client.get(f"{ALPHA}/cases?mine=true&overdue=true", headers=bearer("li")).get_json()
    assert [c["number"] for c in mine] == [case["number"]]
    assert client.get(f"{ALPHA}/cases?mine=true", headers=bearer("wang")).get_json() == []
