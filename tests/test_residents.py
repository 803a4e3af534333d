"""The residents registry: masking per role, audited full views, encryption at rest,
de-duplication and merging, erasure, search and households."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, Uuid, bindparam, inspect, select, text

from linli import db
from linli.app import create_app
from linli.audit.models import AuditEvent
from linli.config import Settings
from linli.identity.models import Membership, User
from linli.privacy import derived_data_key
from linli.residents.identity_numbers import check_character
from linli.residents.models import Grid, GridBuilding, PlaceAssignment, Room, Unit
from linli.residents.people import Household
from linli.tenancy.context import tenant_context
from tests.conftest import PEOPLE, Communities, auth, problem

RESIDENTS = "/api/v1/t/alpha/residents"
PHONE = "13812345678"


def id_number(born: date, serial: str = "123", region: str = "350181") -> str:
    first17 = f"{region}{born:%Y%m%d}{serial}"
    return first17 + check_character(first17)


def add(client: FlaskClient, who: str = "alpha_admin", **data: Any) -> Any:
    body = {"name": "林阿婆", "purpose": "社区服务与管理", **data}
    return client.post(RESIDENTS, headers=auth(who), json=body)


def created(client: FlaskClient, **data: Any) -> dict[str, Any]:
    response = add(client, **data)
    assert response.status_code == 201, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    return body


def test_identity_is_read_from_the_id_number_and_masked_for_everyone(
    client: FlaskClient, communities: Communities
) -> None:
    number = id_number(date(1941, 3, 9), "124")  # 124: even → female
    body = created(client, id_number=number, phone=PHONE, tags=["party_member"])
    assert body["birth_date"] == "1941-03-09"
    assert body["gender"] == "female"
    assert body["age"] >= 85
    assert body["id_number"] == number[:4] + "*" * 10 + number[-4:]
    assert body["phone"] == "138****5678"
    assert body["tags"] == ["party_member", "elderly"]  # typed, then derived
    for who in ("alpha_admin", "alpha_staff", "alpha_admin_read", "platform_admin"):
        item = client.get(f"{RESIDENTS}/{body['id']}", headers=auth(who)).get_json()
        listed = client.get(RESIDENTS, headers=auth(who)).get_json()
        for shown in (item, listed[0]):
            assert shown["phone"] == "138****5678", who
            assert number not in str(shown), who
            assert PHONE not in str(shown), who


def test_full_view_needs_the_reveal_permission_and_is_audited(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    number = id_number(date(1950, 1, 2))
    resident = created(client, id_number=number, phone=PHONE)
    url = f"{RESIDENTS}/{resident['id']}/identity"
    for who in ("alpha_staff", "alpha_admin_read", "bureau_yinxi", "partner_shared"):
        assert client.post(url, headers=auth(who)).status_code in (403, 404), who
    shown = client.post(url, headers=auth("alpha_admin"))
    assert shown.status_code == 200
    assert shown.get_json() == {"id_number": number, "phone": PHONE}
    with app.app_context():
        events = (
            db.session()
            .scalars(select(AuditEvent).where(AuditEvent.action == "residents.reveal"))
            .all()
        )
        admin = db.session().scalars(select(User).where(User.email == "alpha_admin@linli.test"))
        assert [(e.actor, e.target_id.split("/")[-1]) for e in events] == [
            (f"user:{admin.one().id}", resident["id"])
        ]
        assert events[0].details == {"fields": ["id_number", "phone"]}


def test_identity_is_encrypted_at_rest(
    client: FlaskClient, communities: Communities, admin_engine: Engine
) -> None:
    number = id_number(date(1960, 5, 6))
    resident = created(client, id_number=number, phone=PHONE)
    with admin_engine.connect() as connection:  # the owner: no RLS, raw columns
        row = connection.execute(
            text("SELECT * FROM residents WHERE id = :id").bindparams(bindparam("id", type_=Uuid)),
            {"id": uuid.UUID(resident["id"])},
        ).mappings()
        raw = " ".join(str(value) for value in row.one().values())
    assert raw.count("林阿婆") == 1
    assert number not in raw
    assert number.lower() not in raw
    assert PHONE not in raw


def test_a_registered_id_number_is_refused_and_a_same_phone_and_name_is_flagged(
    client: FlaskClient, communities: Communities
) -> None:
    number = id_number(date(1970, 7, 7))
    first = created(client, id_number=number, phone=PHONE)
    again = add(client, name="另一人", id_number=number.lower())
    assert again.status_code == 409
    assert problem(again)["code"] == "duplicate_resident"
    assert again.get_json()["resident_id"] == first["id"]
    twin = created(client, phone="138 1234 5678")
    assert twin["possible_duplicates"] == [first["id"]]
    # the same number in another community is another person's record: no link between them
    beta = client.post(
        "/api/v1/t/beta/residents",
        headers=auth("beta_admin"),
        json={"name": "林阿婆", "purpose": "x" * 5, "id_number": number},
    )
    assert beta.status_code == 201
    assert beta.get_json()["possible_duplicates"] == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"id_number": "350181194103091239"}, "id_number"),  # wrong check digit
        ({"id_number": "350181194113091231"}, "id_number"),  # month 13
        ({"id_number": id_number(date(1941, 3, 9)), "birth_date": "1941-03-10"}, "birth_date"),
        ({"id_number": id_number(date(1941, 3, 9), "124"), "gender": "male"}, "gender"),
        ({"phone": "12345"}, "phone"),
        ({"tags": ["elderly"]}, "tags"),  # derived: never typed
        ({"tags": ["no_such_tag"]}, "tags"),
        ({"room_id": str(uuid.uuid4())}, "room_id"),
        ({"household_id": str(uuid.uuid4())}, "household_id"),
        ({"residency": "tourist"}, "residency"),
        ({"purpose": None}, "purpose"),
        ({"name": "a\u202eb"}, "name"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    client: FlaskClient, communities: Communities, data: dict[str, Any], field: str
) -> None:
    response = add(client, **data)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in problem(response)["errors"]["json"]


def _place(app: Flask, communities: Communities) -> dict[str, uuid.UUID]:
    """Rooms in two buildings of alpha; the first building in a grid."""
    with app.app_context(), tenant_context(communities.alpha.ref):
        session = db.session()
        first, second = communities.alpha.buildings[:2]
        unit = Unit(building_id=first, name="1单元")
        grid = Grid(name="第一网格")
        session.add_all([unit, grid])
        session.flush()
        rooms = {
            "in_grid": Room(building_id=first, unit_id=unit.id, number="101", floor=1),
            "outside": Room(building_id=second, number="202", floor=2),
        }
        session.add_all([*rooms.values(), GridBuilding(grid_id=grid.id, building_id=first)])
        session.flush()
        ids = {name: room.id for name, room in rooms.items()}
        ids["grid"] = grid.id
        session.commit()
    return ids


def test_grid_workers_see_only_their_grid(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    places = _place(app, communities)
    inside = created(client, name="网格内", room_id=str(places["in_grid"]))
    outside = created(client, name="网格外", room_id=str(places["outside"]))
    with app.app_context():
        session = db.session()
        worker = session.scalars(select(User).where(User.email == "nobody@linli.test")).one()
        session.add(
            Membership(tenant_id=communities.alpha.ref.id, user_id=worker.id, roles=["grid_worker"])
        )
        with tenant_context(communities.alpha.ref):
            session.add(
                PlaceAssignment(user_id=worker.id, role="grid_worker", grid_id=places["grid"])
            )
            session.commit()
    listed = client.get(RESIDENTS, headers=auth("nobody")).get_json()
    assert [r["name"] for r in listed] == ["网格内"]
    assert listed[0]["address"] == "福百社区第1小区 1号楼 1单元 101"
    assert client.get(f"{RESIDENTS}/{inside['id']}", headers=auth("nobody")).status_code == 200
    assert client.get(f"{RESIDENTS}/{outside['id']}", headers=auth("nobody")).status_code == 404
    picked = client.get(f"{RESIDENTS}/lookup?q=网格", headers=auth("nobody")).get_json()
    assert [card["name"] for card in picked] == ["网格内"]
    assert client.post(RESIDENTS, headers=auth("nobody"), json={}).status_code == 403
    # staff see the whole community
    assert len(client.get(RESIDENTS, headers=auth("alpha_staff")).get_json()) == 2


def test_search_by_name_phone_tail_tag_age_and_place(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    places = _place(app, communities)
    today = date.today()
    old = today.replace(year=today.year - 85) - timedelta(days=3)
    created(client, name="高龄独居", birth_date=old.isoformat(), phone="13900001111")
    created(client, name="党员小王", birth_date="1990-01-01", tags=["party_member"])
    created(client, name="楼里的人", room_id=str(places["in_grid"]), birth_date="2001-06-01")

    def names(query: str) -> list[str]:
        response = client.get(f"{RESIDENTS}?{query}", headers=auth("alpha_staff"))
        assert response.status_code == 200, response.get_data(as_text=True)
        return sorted(r["name"] for r in response.get_json())

    assert names("q=党员") == ["党员小王"]
    assert names("phone_tail=1111") == ["高龄独居"]
    assert names("tag=party_member") == ["党员小王"]
    assert names("tag=elderly") == ["高龄独居"]
    assert names("age_min=80") == ["高龄独居"]
    assert names("age_min=20&age_max=40") == ["党员小王", "楼里的人"]
    assert names(f"building_id={communities.alpha.buildings[0]}") == ["楼里的人"]
    assert names(f"compound_id={communities.alpha.compounds[0]}") == ["楼里的人"]
    assert names("q=%25") == []  # a wildcard is a character, not a pattern
    bad = client.get(f"{RESIDENTS}?phone_tail=12", headers=auth("alpha_staff"))
    assert bad.status_code == 422


def test_households_derive_living_alone_and_empty_nest(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    places = _place(app, communities)
    alone = client.post(
        "/api/v1/t/alpha/households",
        headers=auth("alpha_staff"),
        json={"room_id": str(places["outside"]), "number": "2-202"},
    ).get_json()
    couple = client.post(
        "/api/v1/t/alpha/households", headers=auth("alpha_staff"), json={}
    ).get_json()
    widow = created(client, name="独居老人", birth_date="1950-02-02", household_id=alone["id"])
    assert widow["room_id"] == str(places["outside"])  # lives where the household lives
    assert widow["tags"] == ["living_alone", "empty_nest"]
    created(client, name="老伴甲", birth_date="1955-01-01", household_id=couple["id"])
    created(client, name="老伴乙", birth_date="1956-01-01", household_id=couple["id"])
    view = client.get(f"/api/v1/t/alpha/households/{couple['id']}", headers=auth("alpha_staff"))
    assert [(m["name"], m["tags"]) for m in view.get_json()["members"]] == [
        ("老伴乙", ["empty_nest"]),
        ("老伴甲", ["empty_nest"]),
    ]
    search = client.get(f"{RESIDENTS}?tag=living_alone", headers=auth("alpha_staff"))
    assert [r["name"] for r in search.get_json()] == ["独居老人"]
    search = client.get(f"{RESIDENTS}?tag=empty_nest", headers=auth("alpha_staff"))
    assert len(search.get_json()) == 3
    created(client, name="孙子", birth_date="2010-01-01", household_id=couple["id"])
    search = client.get(f"{RESIDENTS}?tag=empty_nest", headers=auth("alpha_staff"))
    assert [r["name"] for r in search.get_json()] == ["独居老人"]
    busy = client.delete(f"/api/v1/t/alpha/households/{couple['id']}", headers=auth("alpha_staff"))
    assert busy.status_code == 409


def _every_text(admin_engine: Engine) -> str:
    """Every value of every table, as text (the owner's view: no RLS)."""
    found = []
    with admin_engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                found.append(" ".join(str(value) for value in row))
    return "\n".join(found)


def test_erasure_leaves_no_identity_anywhere_and_keeps_the_statistics(
    client: FlaskClient, communities: Communities, admin_engine: Engine
) -> None:
    number = id_number(date(1944, 4, 4))
    resident = created(client, name="待删除的人", id_number=number, phone=PHONE, tags=["veteran"])
    url = f"{RESIDENTS}/{resident['id']}"
    assert client.post(f"{url}/erase", headers=auth("alpha_staff")).status_code == 403
    personal = client.post(f"{url}/personal-data", headers=auth("alpha_admin")).get_json()
    assert personal["resident"]["id_number"] == number
    assert personal["resident"]["phone"] == PHONE
    erased = client.post(f"{url}/erase", headers=auth("alpha_admin"))
    assert erased.status_code == 200
    assert erased.get_json()["erased"] is True
    everything = _every_text(admin_engine)
    for identity in ("待删除的人", number, PHONE, "1944-04-04"):
        assert identity not in everything, identity
    statistics = client.get(
        f"{RESIDENTS}?include_erased=true&tag=veteran", headers=auth("alpha_admin")
    )
    assert [(r["name"], r["age"] >= 80, r["gender"]) for r in statistics.get_json()] == [
        ("***", True, "male")
    ]
    assert client.get(RESIDENTS, headers=auth("alpha_admin")).get_json() == []
    again = client.post(f"{url}/erase", headers=auth("alpha_admin"))
    assert again.status_code == 409
    assert client.patch(url, headers=auth("alpha_admin"), json={"name": "x"}).status_code == 409


def test_merge_keeps_the_identity_and_tags_and_removes_the_duplicate(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    number = id_number(date(1940, 8, 8))
    keep = created(client, name="陈大爷", tags=["veteran"])
    duplicate = created(client, name="陈大爷", id_number=number, phone=PHONE, tags=["disabled"])
    response = client.post(
        f"{RESIDENTS}/merge",
        headers=auth("alpha_staff"),
        json={"keep_id": keep["id"], "duplicate_id": duplicate["id"]},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    kept = response.get_json()["kept"]
    assert kept["tags"] == ["disabled", "veteran", "elderly"]
    assert kept["birth_date"] == "1940-08-08"
    assert kept["phone"] == "138****5678"
    gone = client.get(f"{RESIDENTS}/{duplicate['id']}", headers=auth("alpha_staff"))
    assert gone.status_code == 404
    shown = client.post(f"{RESIDENTS}/{keep['id']}/identity", headers=auth("alpha_admin"))
    assert shown.get_json()["id_number"] == number
    same = client.post(
        f"{RESIDENTS}/merge",
        headers=auth("alpha_staff"),
        json={"keep_id": keep["id"], "duplicate_id": keep["id"]},
    )
    assert same.status_code == 422


def test_another_communitys_resident_is_a_404_everywhere(
    client: FlaskClient, communities: Communities
) -> None:
    mine = created(client, name="本社区")
    theirs = client.post(
        "/api/v1/t/beta/residents",
        headers=auth("beta_admin"),
        json={"name": "别的社区", "purpose": "社区服务"},
    ).get_json()
    foreign = f"{RESIDENTS}/{theirs['id']}"
    assert client.get(foreign, headers=auth("alpha_admin")).status_code == 404
    assert client.post(f"{foreign}/identity", headers=auth("alpha_admin")).status_code == 404
    assert client.post(f"{foreign}/erase", headers=auth("alpha_admin")).status_code == 404
    merged = client.post(
        f"{RESIDENTS}/merge",
        headers=auth("alpha_admin"),
        json={"keep_id": mine["id"], "duplicate_id": theirs["id"]},
    )
    assert merged.status_code == 404
    assert "别的社区" not in client.get(RESIDENTS, headers=auth("alpha_admin")).get_data(
        as_text=True
    )
    household = client.post(
        "/api/v1/t/beta/households", headers=auth("beta_admin"), json={}
    ).get_json()
    assert add(client, household_id=household["id"]).status_code == 422


def test_tag_dictionary_has_the_defaults_and_the_communitys_own(
    client: FlaskClient, communities: Communities
) -> None:
    url = f"{RESIDENTS}/tags"
    listed = {t["code"]: t for t in client.get(url, headers=auth("alpha_staff")).get_json()}
    assert {"elderly", "living_alone", "empty_nest", "subsistence", "working_party_member"} <= set(
        listed
    )
    assert listed["elderly"]["derived"]
    assert not listed["veteran"]["derived"]
    added = client.post(
        url, headers=auth("alpha_staff"), json={"code": "pregnant", "name": "孕产妇"}
    )
    assert added.status_code == 201
    assert (
        client.post(
            url, headers=auth("alpha_staff"), json={"code": "veteran", "name": "x"}
        ).status_code
        == 409
    )
    resident = created(client, tags=["pregnant"])
    assert resident["tags"] == ["pregnant"]
    assert client.delete(f"{url}/pregnant", headers=auth("alpha_staff")).status_code == 409
    assert client.get(url, headers=auth("beta_admin")).status_code in (403, 404)
    beta = {
        t["code"]
        for t in client.get("/api/v1/t/beta/residents/tags", headers=auth("beta_admin")).get_json()
    }
    assert "pregnant" not in beta
    assert PEOPLE  # the fixture people are seeded


def test_household_rows_stay_in_their_community(app: Flask, communities: Communities) -> None:
    with app.app_context(), tenant_context(communities.beta.ref):
        assert db.session().scalars(select(Household)).all() == []


def test_keys_rotate_and_the_old_key_can_then_go(
    app: Flask, client: FlaskClient, communities: Communities, settings: Settings
) -> None:
    number = id_number(date(1952, 2, 2))
    resident = created(client, id_number=number, phone=PHONE)
    derived = derived_data_key(settings.secret_key)  # what the fixture app encrypted with
    new = Fernet.generate_key().decode()
    rotating = create_app(settings.with_overrides(data_keys=(new, derived)))
    result = rotating.test_cli_runner().invoke(args=["residents", "rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "alpha\t2 values re-encrypted" in result.output
    only_new = create_app(settings.with_overrides(data_keys=(new,))).test_client()
    shown = only_new.post(f"{RESIDENTS}/{resident['id']}/identity", headers=auth("alpha_admin"))
    assert shown.get_json() == {"id_number": number, "phone": PHONE}
    with pytest.raises(RuntimeError, match="no longer configured"):
        client.post(f"{RESIDENTS}/{resident['id']}/identity", headers=auth("alpha_admin"))
