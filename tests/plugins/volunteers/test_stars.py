"""Star levels: thresholds at their boundaries, thresholds as settings, and awards going
through the public notice before they are final (the nightly job)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask

from linli.plugins.services import current_settings
from plugins.volunteers import stars
from plugins.volunteers.manifest import plugin
from tests.conftest import auth, problem
from tests.plugins.volunteers.conftest import Volunteers, in_community

DEFAULT = (100, 300, 600, 1000, 1500)


@pytest.mark.parametrize(
    ("hours", "level"),
    [
        ("0", 0),
        ("99.99", 0),
        ("100", 1),
        ("100.01", 1),
        ("299.75", 1),
        ("300", 2),
        ("599.99", 2),
        ("600", 3),
        ("999.99", 3),
        ("1000", 4),
        ("1499.99", 4),
        ("1500", 5),
        ("9000", 5),
    ],
)
def test_default_thresholds_at_their_boundaries(hours: str, level: int) -> None:
    assert stars.star_level(Decimal(hours), DEFAULT) == level


@pytest.mark.parametrize(
    ("thresholds", "hours", "level"),
    [
        ((100, 200, 500, 800, 1000), "199.99", 1),  # Beijing
        ((100, 200, 500, 800, 1000), "200", 2),
        ((50, 100, 200, 400, 800), "49.75", 0),  # some districts
        ((50, 100, 200, 400, 800), "50", 1),
        ((50, 100, 200, 400, 800), "800", 5),
    ],
)
def test_other_cities_thresholds(thresholds: tuple[int, ...], hours: str, level: int) -> None:
    assert stars.star_level(Decimal(hours), thresholds) == level


def test_thresholds_are_settings_validated_on_save(vol: Volunteers) -> None:
    assert plugin.default_settings()["star_thresholds"] == list(DEFAULT)
    module = "/api/v1/t/alpha/modules/volunteers"
    for bad in ([100, 300, 300, 1000, 1500], [100, 300, 600], [0, 1, 2, 3, 4], ["a"] * 5):
        response = vol.client.patch(
            module, headers=auth("alpha_admin"), json={"settings": {"star_thresholds": bad}}
        )
        assert response.status_code == 422, bad
        assert problem(response)["code"] == "validation_failed"
    short = vol.client.patch(
        module, headers=auth("alpha_admin"), json={"settings": {"notice_days": 3}}
    )
    assert short.status_code == 422  # 公示 lasts at least 7 days
    good = vol.client.patch(
        module,
        headers=auth("alpha_admin"),
        json={"settings": {"star_thresholds": [50, 100, 200, 400, 800]}},
    )
    assert good.get_json()["settings"]["star_thresholds"] == [50, 100, 200, 400, 800]


def _approved(vol: Volunteers, volunteer: str, total: float) -> None:
    ids = []
    while total > 0:
        ids.append(vol.hours(volunteer, min(total, 24)))
        total -= min(total, 24)
    assert vol.post("/hours/approve", {"ids": ids}).status_code == 200


def test_the_job_puts_reached_levels_on_notice_then_makes_them_final(
    app: Flask, vol: Volunteers
) -> None:
    just = vol.volunteer("刚满一百", tail="0100")
    short = vol.volunteer("差一刻钟", tail="0099")
    _approved(vol, just, 100)
    _approved(vol, short, 99.75)
    job = vol.post("/stars/recalculate")
    assert job.status_code == 202
    assert job.get_json()["status"] == "finished"
    assert job.get_json()["result"] == {"noticed": 1, "finalised": 0}
    (notice,) = vol.get("/stars/notices").get_json()
    assert (notice["volunteer_id"], notice["stars"], notice["hours"]) == (just, 1, 100.0)
    assert date.fromisoformat(notice["notice_until"]) - date.fromisoformat(
        notice["notice_from"]
    ) == timedelta(days=7)
    assert vol.get(f"/volunteers/{just}").get_json()["stars"] == 0  # not before the notice ends
    assert vol.post("/stars/recalculate").get_json()["result"] == {"noticed": 0, "finalised": 0}

    with in_community(app, vol.communities.alpha) as session:
        settings = current_settings("volunteers")
        assert stars.recalculate(session, settings, date.today() + timedelta(days=7)) == {
            "noticed": 0,
            "finalised": 0,
        }
        assert stars.recalculate(session, settings, date.today() + timedelta(days=8)) == {
            "noticed": 0,
            "finalised": 1,
        }
    assert vol.get("/stars/notices").get_json() == []
    assert vol.get(f"/volunteers/{just}").get_json()["stars"] == 1
    assert vol.get(f"/volunteers/{short}").get_json()["stars"] == 0


def test_an_upheld_objection_withdraws_the_award(app: Flask, vol: Volunteers) -> None:
    volunteer = vol.volunteer("有异议")
    _approved(vol, volunteer, 300)
    vol.post("/stars/recalculate")
    (notice,) = vol.get("/stars/notices").get_json()
    assert notice["stars"] == 2
    withdrawn = vol.post(f"/stars/{notice['id']}/withdraw")
    assert withdrawn.get_json()["status"] == "withdrawn"
    assert problem(vol.post(f"/stars/{notice['id']}/withdraw"))["code"] == "not_on_notice"
    with in_community(app, vol.communities.alpha) as session:
        later = date.today() + timedelta(days=30)
        stars.recalculate(session, current_settings("volunteers"), later)
    assert vol.get(f"/volunteers/{volunteer}").get_json()["stars"] == 0
