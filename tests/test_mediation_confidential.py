"""Who sees a case's parties: assigned mediators and the director, audited; everyone else
an anonymised case. Contacts are encrypted at rest. The agreement DOCX holds the case."""

from __future__ import annotations

import io
from datetime import timedelta

from docx import Document
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select, text

from linli import db
from linli.audit.models import AuditEvent
from tests.conftest import problem
from tests.mediation_support import (
    ALPHA,
    ID_NUMBER,
    PHONE,
    TODAY,
    Mediators,
    bearer,
    mediators_fixture,  # noqa: F401  (the fixture)
    step,
    to_mediating,
)


def _reads(app: Flask, user_id: object) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).where(
            AuditEvent.action == "mediation_cases.read_parties",
            AuditEvent.actor == f"user:{user_id}",
        )
        return list(db.session().scalars(query))


def test_only_assigned_mediators_and_admins_read_the_parties(
    app: Flask, client: FlaskClient, mediators: Mediators
) -> None:
    case = to_mediating(client, mediators)
    url = f"{ALPHA}/cases/{case['id']}"
    assigned = client.get(url, headers=bearer("li")).get_json()
    assert assigned["confidential"] is True
    applicant = assigned["parties"][0]
    assert (applicant["name"], applicant["phone"], applicant["id_number"]) == (
        "林秀英",
        PHONE,
        ID_NUMBER,
    )
    assert assigned["facts"].startswith("501室")
    assert len(_reads(app, mediators.users["li"])) == 1

    other = client.get(url, headers=bearer("wang"))
    body = other.get_json()
    assert other.status_code == 200
    assert body["confidential"] is False
    assert [p["label"] for p in body["parties"]] == ["申请人1", "被申请人1"]
    assert all(p["name"] is None and p["phone"] is None for p in body["parties"])
    assert body["facts"] is None
    assert body["terms"] is None
    assert PHONE not in other.get_data(as_text=True)
    assert "林秀英" not in other.get_data(as_text=True)
    assert _reads(app, mediators.users["wang"]) == []
    listed = client.get(f"{ALPHA}/cases", headers=bearer("wang")).get_data(as_text=True)
    assert "林秀英" not in listed
    assert PHONE not in listed

    assert client.get(url, headers=bearer("alpha_admin")).get_json()["confidential"] is True
    assert problem(client.get(url, headers=bearer("alpha_staff")))["code"] == "forbidden"

    retired = {"active": False}
    patched = client.patch(
        f"{ALPHA}/mediators/{mediators.ids['li']}", headers=bearer("alpha_admin"), json=retired
    )
    assert patched.status_code == 200
    assert client.get(url, headers=bearer("li")).get_json()["confidential"] is False


def test_unassigned_mediator_cannot_work_on_the_case(
    client: FlaskClient, mediators: Mediators
) -> None:
    case = to_mediating(client, mediators)
    sitting = {"held_on": TODAY.isoformat(), "attendees": "双方", "notes": "调解"}
    refused = step(client, case["id"], "sessions", sitting, who="wang")
    assert problem(refused)["code"] == "not_assigned"
    assert problem(step(client, case["id"], "accept", who="wang"))["code"] == "forbidden"
    agreement = client.get(f"{ALPHA}/cases/{case['id']}/agreement", headers=bearer("wang"))
    assert agreement.status_code in (403, 409)


def test_contacts_are_encrypted_at_rest(
    client: FlaskClient, mediators: Mediators, admin_engine: Engine
) -> None:
    to_mediating(client, mediators)
    with admin_engine.connect() as connection:
        rows = connection.execute(
            text("SELECT phone_cipher, phone_masked, id_number_masked FROM mediation_case_parties")
        ).all()
        dump = " ".join(
            str(v)
            for row in connection.execute(text("SELECT * FROM mediation_case_parties"))
            for v in row
        )
    assert PHONE not in dump
    assert ID_NUMBER not in dump
    assert ("139****2345", "3501**********1234") in {(r[1], r[2]) for r in rows}
    assert all(r[0] and r[0].startswith("gAAAA") for r in rows)  # Fernet tokens


def _written(client: FlaskClient, case_id: str) -> None:
    response = step(
        client,
        case_id,
        "resolve",
        {
            "agreement_kind": "written",
            "responsibility": "双方均有责任，被申请人承担主要责任",
            "terms": "郑国强于十日内修复卫生间防水层，并赔偿林秀英装修损失人民币2000元。",
            "performance": "现金当面交付，地点：诚丰世纪园邻和议事厅",
            "perform_by": (TODAY + timedelta(days=10)).isoformat(),
        },
        who="li",
    )
    assert response.status_code == 200, response.get_json()


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_agreement_docx_holds_the_case(
    app: Flask, client: FlaskClient, mediators: Mediators
) -> None:
    case = to_mediating(client, mediators)
    _written(client, case["id"])
    response = client.get(
        f"{ALPHA}/cases/{case['id']}/agreement",
        headers={**bearer("li"), "Accept-Language": "en"},  # the document stays Chinese
    )
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    content = _docx_text(response.data)
    for expected in (
        "人民调解协议书",
        case["number"],
        "申请人1：林秀英，女，1965年出生",
        f"身份证件号码{ID_NUMBER}",
        f"联系电话{PHONE}",
        "被申请人1：郑国强，男",
        "501室卫生间防水层老化",  # facts
        "维修费用由谁承担",  # matters in dispute
        "被申请人承担主要责任",  # responsibility
        "赔偿林秀英装修损失人民币2000元",  # terms
        "诚丰世纪园邻和议事厅",  # how and where
        "履行期限",
        "一式3份",
        "30日内共同向人民法院申请司法确认",
        "人民调解员（签名）",
        "李调解员、陈老伯",
        "福百社区人民调解委员会",
        "人民调解委员会（印章）",
    ):
        assert expected in content, expected
    with app.app_context():
        actions = db.session().scalars(
            select(AuditEvent.action).where(AuditEvent.actor == f"user:{mediators.users['li']}")
        )
        assert "mediation_cases.agreement_docx" in set(actions)
    refused = client.get(f"{ALPHA}/cases/{case['id']}/agreement", headers=bearer("wang"))
    assert problem(refused)["code"] == "not_assigned"
