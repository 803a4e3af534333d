"""The anonymous QR form: what it offers, what it takes, its limits, and that a tracking
code opens one matter of one community and nothing else."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient

from tests.conftest import Communities, problem
from tests.plugins.affairs.conftest import JPEG, Affairs, public_url


def _submit(client: FlaskClient, slug: str = "alpha", photos: int = 0, **fields: Any) -> Any:
    data: dict[str, Any] = {
        "title": "路灯不亮",
        "description": "2号楼前的路灯坏了一周。",
        "category": "social_service",
        **fields,
    }
    if photos:
        data["photos"] = [(io.BytesIO(JPEG), f"p{n}.jpg") for n in range(photos)]
    return client.post(public_url("/matters", slug), data=data, content_type="multipart/form-data")


def test_the_form_and_a_submission_with_photos(aff: Affairs, communities: Communities) -> None:
    building = str(communities.alpha.buildings[2])
    form = aff.client.get(public_url(f"/form?building_id={building}"))
    assert form.status_code == 200
    offered = form.get_json()
    assert offered["community"] == "福百社区"
    assert offered["building_id"] == building
    assert [c["code"] for c in offered["categories"]] == [
        "admin_service", "volunteer_service", "social_service",
    ]  # fmt: skip
    assert len(offered["buildings"]) == 4
    assert "菖蒲" not in str(offered)
    assert [s["label"] for s in offered["stages"]] == [
        "提事",
        "议事",
        "理事",
        "办事",
        "晒事",
        "评事",
    ]

    receipt = _submit(
        aff.client, photos=2, building_id=building, name="林阿婆", phone="13812345678"
    )
    assert receipt.status_code == 201, receipt.get_json()
    body = receipt.get_json()
    assert set(body) == {"number", "tracking_code", "stage", "stage_label"}
    listed = aff.get("/matters").get_json()
    assert [(m["channel"], m["building_id"], m["reporter_phone_masked"]) for m in listed] == [
        ("qr", building, "138****5678")
    ]
    assert len(aff.get(f"/matters/{listed[0]['id']}/photos").get_json()) == 2
    tracked = aff.client.get(public_url(f"/matters/{body['tracking_code'].lower()}")).get_json()
    assert tracked["number"] == body["number"]
    assert "林阿婆" not in str(tracked)
    assert "13812345678" not in str(tracked)
    assert "138****5678" not in str(tracked)


def test_bad_submissions_are_4xx(aff: Affairs, communities: Communities) -> None:
    assert _submit(aff.client, category="nonsense").status_code == 422
    too_many = _submit(aff.client, photos=4)
    assert (too_many.status_code, problem(too_many)["code"]) == (422, "validation_failed")
    not_a_photo = aff.client.post(
        public_url("/matters"),
        data={
            "title": "t",
            "description": "d",
            "category": "social_service",
            "photos": [(io.BytesIO(b"%PDF-1.4 not a photo"), "x.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert not_a_photo.status_code == 422
    foreign = _submit(aff.client, building_id=str(communities.beta.buildings[0]))
    assert foreign.status_code == 422
    as_json = aff.client.post(public_url("/matters"), json={"title": "x"})
    assert as_json.status_code == 422
    assert aff.get("/matters").get_json() == []  # none of them was kept


def test_a_tracking_code_opens_one_matter_of_one_community(aff: Affairs) -> None:
    alpha = _submit(aff.client).get_json()["tracking_code"]
    beta = _submit(aff.client, slug="beta").get_json()["tracking_code"]
    assert aff.client.get(public_url(f"/matters/{alpha}")).status_code == 200
    for code, slug in ((beta, "alpha"), (alpha, "beta"), ("0" * 12, "alpha"), ("../x", "alpha")):
        response = aff.client.get(public_url(f"/matters/{code}", slug))
        assert (response.status_code, problem(response)["code"]) == (404, "not_found"), code
    rating = aff.client.post(public_url(f"/matters/{beta}/rating", "alpha"), json={"score": 5})
    assert rating.status_code == 404
    staff_route = aff.client.get("/api/v1/t/alpha/affairs/matters")
    assert staff_route.status_code == 401  # the public side opens nothing else


def test_submissions_are_rate_limited_and_duplicates_refused(aff: Affairs) -> None:
    aff.enable("alpha", intake_limit="2/hour")
    first = _submit(aff.client)
    assert first.status_code == 201
    duplicate = _submit(aff.client)
    assert (duplicate.status_code, problem(duplicate)["code"]) == (409, "duplicate_matter")
    third = _submit(aff.client, description="另一件事")
    assert (third.status_code, problem(third)["code"]) == (429, "too_many_requests")
    assert int(third.headers["Retry-After"]) > 0
    other_address = aff.client.post(
        public_url("/matters"),
        data={"title": "t", "description": "别处的事", "category": "social_service"},
        content_type="multipart/form-data",
        environ_base={"REMOTE_ADDR": "127.0.0.9"},
    )
    assert other_address.status_code == 201
    beta = _submit(aff.client, slug="beta", description="另一个社区")
    assert beta.status_code == 201  # counted per community


def test_closed_communities_and_modules_answer_404(aff: Affairs, client: FlaskClient) -> None:
    for slug in ("gamma", "nowhere", "UPPER"):
        response = client.get(public_url("/form", slug))
        assert (response.status_code, problem(response)["code"]) == (404, "tenant_not_found")
    off = client.patch(
        "/api/v1/t/alpha/modules/affairs",
        headers={"Authorization": "Bearer lin_pat_alpha-admin"},
        json={"enabled": False},
    )
    assert off.status_code == 200
    response = client.get(public_url("/form"))
    assert (response.status_code, problem(response)["code"]) == (404, "module_not_enabled")
    dead_token = client.get(public_url("/form", "beta"), headers={"Authorization": "Bearer x"})
    assert dead_token.status_code == 200  # credentials are ignored, not refused


def test_the_public_board_and_the_core_limit(aff: Affairs) -> None:
    published = aff.published()
    aff.matter(description="还没办完的事")
    board = aff.client.get(public_url("/board"))
    assert board.status_code == 200
    rows = board.get_json()
    assert [r["number"] for r in rows] == [published["number"]]
    assert "tracking_code" not in rows[0]
    assert "reporter_name" not in rows[0]
    rated = aff.client.post(
        public_url(f"/matters/{published['tracking_code']}/rating"), json={"score": 4}
    )
    assert rated.status_code == 201
    again = aff.client.post(
        public_url(f"/matters/{published['tracking_code']}/rating"), json={"score": 1}
    )
    assert (again.status_code, problem(again)["code"]) == (409, "already_rated")
    assert aff.client.get(public_url("/board")).get_json()[0]["satisfaction"] == 4.0
    aff.enable("alpha", public_board=False)
    assert aff.client.get(public_url("/board")).status_code == 404
    limits = aff.app.extensions["linli.public_limits"]
    answers = {aff.client.get(public_url("/form", "beta")).status_code for _ in range(61)}
    assert answers == {200, 429}
    limits.reset()


def test_public_routes_answer_on_a_communitys_own_host_too(aff: Affairs) -> None:
    on_host = aff.client.get(
        "/api/v1/public/alpha/affairs/form", headers={"Host": "alpha.linli.test"}
    )
    assert on_host.status_code == 200
    assert on_host.get_json()["community"] == "福百社区"
    crossed = aff.client.get(
        "/api/v1/public/beta/affairs/form", headers={"Host": "alpha.linli.test"}
    )
    assert (crossed.status_code, problem(crossed)["code"]) == (404, "tenant_not_found")
