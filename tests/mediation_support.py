"""Helpers of the mediation tests (tests/test_mediation_*.py): the module on in alpha and
mediators who log in (one to be assigned, one not), and a helper to walk a case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from linli import db
from linli.identity.models import Membership, PersonalAccessToken, User
from linli.identity.secrets import digest
from tests.conftest import Communities, auth

BASE = "/api/v1/t/{slug}/mediation"
ALPHA = BASE.format(slug="alpha")
BETA = BASE.format(slug="beta")
PHONE = "13905912345"
ID_NUMBER = "350181196503151234"
#: Mediators who log in, by name → token (created by the ``mediators`` fixture).
MEDIATOR_TOKENS = {"li": "lin_pat_mediator-li", "wang": "lin_pat_mediator-wang"}


def ok(response: TestResponse, status: int = 200) -> dict[str, Any]:
    """The JSON body of a response that must have ``status``."""
    assert response.status_code == status, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def bearer(who: str) -> dict[str, str]:
    if who in MEDIATOR_TOKENS:
        return {"Authorization": f"Bearer {MEDIATOR_TOKENS[who]}"}
    return auth(who)


def enable(client: FlaskClient, slug: str = "alpha", **settings: Any) -> None:
    admin = "alpha_admin" if slug == "alpha" else "beta_admin"
    response = client.put(
        f"/api/v1/t/{slug}/modules/mediation",
        headers=auth(admin),
        json={"enabled": True, "settings": settings},
    )
    assert response.status_code == 200, response.get_json()


@dataclass
class Mediators:
    """Alpha's mediators: ``li`` and ``wang`` log in; ``elder`` does not."""

    ids: dict[str, str]
    users: dict[str, uuid.UUID]


@pytest.fixture(name="mediators")
def mediators_fixture(app: Flask, client: FlaskClient, communities: Communities) -> Mediators:
    enable(client, "alpha")
    enable(client, "beta")
    users: dict[str, uuid.UUID] = {}
    with app.app_context(), db.database().session_scope() as session:
        for key, name in (("li", "李调解员"), ("wang", "王调解员")):
            user = User(display_name=name, email=f"mediator-{key}@linli.test")
            session.add(user)
            session.flush()
            session.add(
                PersonalAccessToken(
                    user_id=user.id,
                    name=key,
                    digest=digest(MEDIATOR_TOKENS[key]),
                    hint=MEDIATOR_TOKENS[key][:12],
                    scopes=["write"],
                )
            )
            session.add(
                Membership(
                    tenant_id=communities.alpha.ref.id,
                    user_id=user.id,
                    roles=["staff", "mediation.mediator"],
                )
            )
            users[key] = user.id
    ids = {}
    for key, body in (
        (
            "li",
            {"name": "李调解员", "gender": "female", "kind": "staff", "user_id": str(users["li"])},
        ),
        ("wang", {"name": "王调解员", "kind": "lawyer", "user_id": str(users["wang"])}),
        ("elder", {"name": "陈老伯", "gender": "male", "kind": "elder"}),
    ):
        response = client.post(f"{ALPHA}/mediators", headers=auth("alpha_admin"), json=body)
        assert response.status_code == 201, response.get_json()
        ids[key] = response.get_json()["id"]
    return Mediators(ids, users)


def case_body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "楼上卫生间漏水",
        "category": "water_leak",
        "source": "party_application",
        "channel": "walk_in",
        "facts": "501室卫生间防水层老化，渗水至401室天花板。",
        "matters": "维修费用由谁承担、401室装修损失如何赔偿。",
        "parties": [
            {
                "side": "applicant",
                "name": "林秀英",
                "gender": "female",
                "birth_year": 1965,
                "address": "诚丰世纪园3号楼401室",
                "phone": PHONE,
                "id_type": "resident_card",
                "id_number": ID_NUMBER,
            },
            {"side": "respondent", "name": "郑国强", "gender": "male", "phone": "13805910000"},
        ],
    }
    body.update(extra)
    return body


def register(client: FlaskClient, who: str = "alpha_admin", **extra: Any) -> dict[str, Any]:
    response = client.post(f"{ALPHA}/cases", headers=bearer(who), json=case_body(**extra))
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def step(
    client: FlaskClient,
    case_id: str,
    action: str,
    body: dict[str, Any] | None = None,
    who: str = "alpha_admin",
    method: str = "post",
) -> TestResponse:
    return client.open(
        f"{ALPHA}/cases/{case_id}/{action}", method=method, headers=bearer(who), json=body or {}
    )


def to_mediating(client: FlaskClient, mediators: Mediators, **extra: Any) -> dict[str, Any]:
    """A case registered, accepted, rights notified, assigned to 李 (lead) and 陈, started."""
    case = register(client, **extra)
    for action, body, method in (
        ("accept", {}, "post"),
        ("rights-notice", {}, "post"),
        ("mediators", {"mediator_ids": [mediators.ids["li"], mediators.ids["elder"]]}, "put"),
        ("start", {}, "post"),
    ):
        response = step(client, case["id"], action, body, method=method)
        assert response.status_code == 200, (action, response.get_json())
    return case


TODAY = date.today()
