"""Every mediation endpoint against every outsider: no token (401), another community's
admin and a partner of another community (404), staff without a mediation role and a
partner unit of this community (403), the module switched off (404), and another
community's halls, mediators and cases (the same 404 as a missing row)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import auth, problem
from tests.mediation_support import (
    ALPHA,
    BETA,
    TODAY,
    Mediators,
    case_body,
    mediators_fixture,  # noqa: F401  (the fixture)
    ok,
)

PREFIX = "/api/v1/t/<slug>/mediation"
_PARAM = re.compile(r"<(?:[a-z]+:)?(\w+)>")
#: A body each write accepts, so a foreign id meets its 404 and not a 422.
BODIES: dict[str, dict[str, Any]] = {
    "": {},
    "accept": {},
    "decline": {"reason": "不属于调解范围"},
    "mediators": {"mediator_ids": [str(uuid.uuid4())]},
    "rights-notice": {},
    "start": {},
    "sessions": {"held_on": TODAY.isoformat(), "attendees": "双方", "notes": "记录"},
    "extension": {"until": TODAY.isoformat(), "reason": "外出", "parties_consent": True},
    "resolve": {"agreement_kind": "oral", "terms": "口头约定"},
    "fail": {"reason": "分歧大", "referral": "court"},
    "signed": {"signed_on": TODAY.isoformat()},
    "judicial-confirmation": {"applied_on": TODAY.isoformat()},
    "follow-ups": {
        "visited_on": TODAY.isoformat(),
        "visitor": "李",
        "performed": True,
        "satisfaction": 4,
        "findings": "已履行",
    },
    "documents": {"codes": ["evidence"]},
}


def routes(app: Flask) -> list[tuple[str, str]]:
    found = [
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]
    assert len(found) >= 20, found
    return found


def url(rule: str, slug: str, ids: dict[str, str]) -> str:
    return _PARAM.sub(lambda m: slug if m.group(1) == "slug" else ids[m.group(1)], rule)


def body_for(rule: str, method: str) -> dict[str, Any] | None:
    if method in ("GET", "DELETE"):
        return None
    action = rule.rsplit("/", 1)[-1]
    return BODIES.get(action, {})


def _beta_rows(client: FlaskClient) -> dict[str, str]:
    admin = auth("beta_admin")
    hall = ok(client.post(f"{BETA}/halls", headers=admin, json={"name": "睦邻亭"}), 201)
    mediator = ok(client.post(f"{BETA}/mediators", headers=admin, json={"name": "郑"}), 201)
    case = ok(client.post(f"{BETA}/cases", headers=admin, json=case_body()), 201)
    return {"hall_id": hall["id"], "mediator_id": mediator["id"], "case_id": case["id"]}


def test_outsiders_are_refused_on_every_endpoint(
    app: Flask, client: FlaskClient, mediators: Mediators
) -> None:
    ids = _beta_rows(client)  # any ids: the caller is refused before the row is looked up
    expected = {
        None: (401, "unauthorized"),
        "beta_admin": (404, "tenant_not_found"),
        "partner_beta": (404, "tenant_not_found"),
        "alpha_staff": (403, "forbidden"),
        "partner_shared": (403, "forbidden"),
        "bureau_yinxi": (403, "forbidden"),
    }
    wrong = []
    for rule, method in routes(app):
        for who, (status, code) in expected.items():
            response = client.open(
                url(rule, "alpha", ids),
                method=method,
                headers={} if who is None else auth(who),
                json=body_for(rule, method),
            )
            if response.status_code != status or problem(response)["code"] != code:
                wrong.append(f"{who} {method} {rule}: {response.status_code}")
    assert wrong == []


def test_another_communitys_rows_are_404_on_every_endpoint(
    app: Flask, client: FlaskClient, mediators: Mediators
) -> None:
    ids = _beta_rows(client)
    wrong = []
    for rule, method in routes(app):
        if "<uuid:" not in rule:
            continue
        response = client.open(
            url(rule, "alpha", ids),
            method=method,
            headers=auth("alpha_admin"),
            json=body_for(rule, method),
        )
        if response.status_code != 404 or problem(response)["code"] != "not_found":
            wrong.append(f"{method} {rule}: {response.status_code} {response.get_json()}")
    assert wrong == []
    # and beta still has them
    ok(client.get(f"{BETA}/cases/{ids['case_id']}", headers=auth("beta_admin")))


def test_disabled_module_is_404_on_every_endpoint_and_keeps_its_data(
    app: Flask, client: FlaskClient, mediators: Mediators
) -> None:
    case = ok(client.post(f"{ALPHA}/cases", headers=auth("alpha_admin"), json=case_body()), 201)
    switch = "/api/v1/t/alpha/modules/mediation"
    ok(client.patch(switch, headers=auth("alpha_admin"), json={"enabled": False}))
    ids = {"case_id": case["id"], "hall_id": case["id"], "mediator_id": mediators.ids["li"]}
    wrong = []
    for rule, method in routes(app):
        response = client.open(
            url(rule, "alpha", ids),
            method=method,
            headers=auth("alpha_admin"),
            json=body_for(rule, method),
        )
        if response.status_code != 404 or problem(response)["code"] != "module_not_enabled":
            wrong.append(f"{method} {rule}: {response.status_code}")
    assert wrong == []
    ok(client.patch(switch, headers=auth("alpha_admin"), json={"enabled": True}))
    again = ok(client.get(f"{ALPHA}/cases/{case['id']}", headers=auth("alpha_admin")))
    assert again["number"] == case["number"]
