"""议事's vote: one ballot per verified resident (or household), none after the deadline,
none from someone the registry does not know."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.conftest import problem
from tests.plugins.affairs.conftest import Affairs, public_url


def _vote(aff: Affairs, poll_id: str, name: str, phone: str, option: int = 0) -> Any:
    return aff.client.post(
        public_url(f"/polls/{poll_id}/ballots"),
        json={"name": name, "phone": phone, "option": option},
    )


def test_one_vote_per_resident_closed_after_its_deadline(aff: Affairs) -> None:
    aff.resident("林阿婆", "13800001111")
    aff.resident("陈先生", "13800002222")
    poll = aff.poll(aff.deliberating()["id"])
    first = _vote(aff, poll["id"], "林阿婆", "138 0000 1111")
    assert first.status_code == 201, first.get_json()
    twice = _vote(aff, poll["id"], "林阿婆", "13800001111", option=1)
    assert (twice.status_code, problem(twice)["code"]) == (409, "already_voted")
    stranger = _vote(aff, poll["id"], "林阿婆", "13899999999")
    assert (stranger.status_code, problem(stranger)["code"]) == (403, "not_verified")
    wrong_name = _vote(aff, poll["id"], "王先生", "13800002222")
    assert wrong_name.status_code == 403
    bad_option = _vote(aff, poll["id"], "陈先生", "13800002222", option=5)
    assert bad_option.status_code == 422
    assert _vote(aff, poll["id"], "陈先生", "13800002222", option=1).status_code == 201
    shown = aff.client.get(public_url(f"/polls/{poll['id']}")).get_json()
    assert (shown["tally"], shown["votes"], shown["open"]) == ([1, 1], 2, True)

    aff.end_poll(poll["id"])
    aff.resident("黄阿姨", "13800003333")
    late = _vote(aff, poll["id"], "黄阿姨", "13800003333")
    assert (late.status_code, problem(late)["code"]) == (409, "vote_closed")
    closed = aff.get(f"/matters/{poll['matter_id']}/poll").get_json()
    assert (closed["open"], closed["tally"]) == (False, [1, 1])


def test_one_vote_per_household_and_staff_entered_votes(aff: Affairs) -> None:
    aff.enable("alpha", vote_unit="household")
    home = aff.household("3-301")
    wife = aff.resident("林女士", "13800004444", home)
    husband = aff.resident("郑先生", "13800005555", home)
    poll = aff.poll(aff.deliberating()["id"])
    assert poll["unit"] == "household"
    assert _vote(aff, poll["id"], "林女士", "13800004444").status_code == 201
    same_home = aff.post(f"/polls/{poll['id']}/ballots", {"resident_id": husband, "option": 1})
    assert (same_home.status_code, problem(same_home)["code"]) == (409, "already_voted")
    neighbour = aff.resident("王阿伯", "13800006666")
    staff_vote = aff.post(f"/polls/{poll['id']}/ballots", {"resident_id": neighbour, "option": 1})
    assert staff_vote.status_code == 201
    assert staff_vote.get_json()["channel"] == "staff"
    unknown = aff.post(
        f"/polls/{poll['id']}/ballots", {"resident_id": wife[:-4] + "0000", "option": 0}
    )
    assert unknown.status_code == 422
    assert aff.get(f"/matters/{poll['matter_id']}/poll").get_json()["tally"] == [1, 1]


def test_a_vote_is_opened_once_and_within_a_week(aff: Affairs) -> None:
    matter = aff.deliberating()
    far = {"question": "同意吗", "options": ["是", "否"], "closes_at": "2999-01-01T00:00:00+00:00"}
    assert aff.post(f"/matters/{matter['id']}/poll", far).status_code == 422
    one = {"question": "同意吗", "options": ["是"]}
    assert aff.post(f"/matters/{matter['id']}/poll", one).status_code == 422
    aff.poll(matter["id"])
    again = aff.post(f"/matters/{matter['id']}/poll", {"question": "再投", "options": ["是", "否"]})
    assert (again.status_code, problem(again)["code"]) == (409, "poll_exists")


def test_votes_are_rate_limited_per_address(aff: Affairs) -> None:
    aff.enable("alpha", vote_limit="2/hour")
    poll = aff.poll(aff.deliberating()["id"])
    answers = [_vote(aff, poll["id"], "无名", "13800000000").status_code for _ in range(3)]
    assert answers == [403, 403, 429]


def test_two_ballots_of_one_household_at_the_same_instant_count_once(
    aff: Affairs, is_postgres: bool
) -> None:
    if not is_postgres:
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL")
    aff.enable("alpha", vote_unit="household")
    home = aff.household("5-501")
    aff.resident("林女士", "13800007777", home)
    aff.resident("郑先生", "13800008888", home)
    poll = aff.poll(aff.deliberating()["id"])
    start = threading.Barrier(2)
    answers: list[int] = []

    def cast(name: str, phone: str) -> None:
        client = aff.app.test_client()
        start.wait()
        answer = client.post(
            public_url(f"/polls/{poll['id']}/ballots"),
            json={"name": name, "phone": phone, "option": 0},
        )
        answers.append(answer.status_code)

    threads = [
        threading.Thread(target=cast, args=voter)
        for voter in (("林女士", "13800007777"), ("郑先生", "13800008888"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201, 409]
    assert aff.get(f"/matters/{poll['matter_id']}/poll").get_json()["votes"] == 1
