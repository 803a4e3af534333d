"""The residents' pages (no account): the form a QR code leads to, the receipt with the
tracking code, the matter's page where the resident confirms and rates, the vote, the
board; the same 404 for an unknown, suspended or module-less community and for another
community's code or vote; the limits as pages (429); forged posts refused; typed text
shown as text."""

from __future__ import annotations

import io
import re
from typing import Any

from flask.testing import FlaskClient

from tests.plugins.affairs.conftest import JPEG, Affairs, public_url

PAGES = "/p/alpha/affairs"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _token(client: FlaskClient, slug: str = "alpha") -> str:
    page = client.get(f"/p/{slug}/affairs/")
    found = TOKEN.search(page.text)
    assert found is not None, page.text[:500]
    return found.group(1)


def _post(client: FlaskClient, path: str, data: dict[str, Any], slug: str = "alpha") -> Any:
    body = {"csrf_token": _token(client, slug), **data}
    return client.post(f"/p/{slug}/affairs{path}", data=body, content_type="multipart/form-data")


def _raise(client: FlaskClient, slug: str = "alpha", **fields: Any) -> Any:
    data = {
        "title": "路灯不亮",
        "description": "2号楼前的路灯坏了一周。",
        "category": "social_service",
        **fields,
    }
    return _post(client, "/", data, slug)


def _code(response: Any) -> str:
    assert response.status_code == 302, response.text[:2000]
    return str(response.headers["Location"].rsplit("/", 1)[1])


def test_the_form_labels_every_input_and_takes_photos(aff: Affairs) -> None:
    building = str(aff.communities.alpha.buildings[2])
    form = aff.client.get(f"{PAGES}/?building_id={building}")
    assert form.status_code == 200
    assert "福百社区" in form.text
    assert "菖蒲" not in form.text
    assert "提事 → 议事 → 理事 → 办事 → 晒事 → 评事" in form.text
    ids = re.findall(r'<(?:input|select|textarea) id="([^"]+)"', form.text)
    assert set(ids) == {"title", "description", "category", "building_id", "location"} | {
        "photos",
        "name",
        "phone",
    }
    assert [i for i in ids if f'<label for="{i}">' not in form.text] == []
    assert f'<option value="{building}" selected>' in form.text
    sent = _raise(
        aff.client,
        building_id=building,
        name="林阿婆",
        phone="13812345678",
        photos=[(io.BytesIO(JPEG), "a.jpg"), (io.BytesIO(JPEG), "b.jpg")],
    )
    code = _code(sent)
    thanks = aff.client.get(sent.headers["Location"])
    assert thanks.status_code == 200
    assert code in thanks.text
    [matter] = aff.get("/matters").get_json()
    assert matter["tracking_code"] == code
    assert (matter["channel"], matter["building_id"], matter["reporter_phone_masked"]) == (
        "qr",
        building,
        "138****5678",
    )
    assert len(aff.get(f"/matters/{matter['id']}/photos").get_json()) == 2
    no_photo = _raise(aff.client, description="别的事", photos=[(io.BytesIO(b""), "")])
    assert no_photo.status_code == 302  # an empty file field is no photo


def test_errors_are_shown_next_to_their_fields(aff: Affairs) -> None:
    missing = _post(aff.client, "/", {"category": "social_service"})
    assert missing.status_code == 422
    assert 'aria-describedby="title-error"' in missing.text
    assert 'class="field-error" id="description-error"' in missing.text
    pdf = [(io.BytesIO(b"%PDF-1.4 not a photo"), "x.pdf")]
    not_a_photo = _raise(aff.client, photos=pdf)
    assert not_a_photo.status_code == 422
    assert "JPEG" in not_a_photo.text.split('id="photos-error"')[1][:120]
    foreign = _raise(aff.client, building_id=str(aff.communities.beta.buildings[0]))
    assert foreign.status_code == 422
    assert 'id="building_id-error"' in foreign.text
    assert 'value="路灯不亮"' in foreign.text  # what was typed stays
    assert aff.get("/matters").get_json() == []


def test_forged_posts_closed_communities_and_modules(aff: Affairs, client: FlaskClient) -> None:
    forged = client.post(
        f"{PAGES}/",
        data={"title": "t", "description": "d", "category": "social_service"},
        content_type="multipart/form-data",
    )
    assert forged.status_code == 400
    assert forged.mimetype == "text/html"
    assert "<h1>表单已过期，请刷新页面</h1>" in forged.text
    for slug in ("gamma", "nowhere"):
        for path in ("/", "/board", "/track"):
            response = client.get(f"/p/{slug}/affairs{path}")
            assert (response.status_code, response.mimetype) == (404, "text/html"), (slug, path)
    off = client.patch(
        "/api/v1/t/alpha/modules/affairs",
        headers={"Authorization": "Bearer lin_pat_alpha-admin"},
        json={"enabled": False},
    )
    assert off.status_code == 200
    page = client.get(f"{PAGES}/")
    assert page.status_code == 404
    assert "未启用" in page.text
    assert client.get("/p/beta/affairs/").status_code == 200
    answers = {client.get("/p/beta/affairs/board").status_code for _ in range(61)}
    assert answers == {200, 429}  # the core's count per address and community
    aff.app.extensions["linli.public_limits"].reset()


def test_submissions_over_the_limit_get_a_429_page(aff: Affairs) -> None:
    aff.enable("alpha", intake_limit="1/hour")
    assert _raise(aff.client).status_code == 302
    over = _raise(aff.client, description="另一件事")
    assert over.status_code == 429
    assert over.mimetype == "text/html"
    assert int(over.headers["Retry-After"]) > 0
    via_json = aff.client.post(
        public_url("/matters"),
        data={"title": "t", "description": "第三件事", "category": "social_service"},
        content_type="multipart/form-data",
    )
    assert via_json.status_code == 429  # one count for the page and the JSON form
    assert len(aff.get("/matters").get_json()) == 1


def test_the_resident_follows_confirms_and_rates(aff: Affairs) -> None:
    code = _code(_raise(aff.client, title="<script>alert(1)</script>"))
    found = aff.client.get(f"{PAGES}/track?code={code.lower()}")
    assert found.status_code == 302
    page = aff.client.get(f"{PAGES}/track/{code}")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text
    assert 'id="confirmation-resolved"' not in page.text  # nothing done yet
    [matter] = aff.get("/matters").get_json()
    for step, body in (
        ("accept", {}),
        ("plan", {"owner": "物业", "plan": "换灯泡", "decision": "议定"}),
        ("done", {"result": "已换新灯"}),
        ("publish", {}),
    ):
        aff.ok(f"/matters/{matter['id']}/{step}", body)
    done = aff.client.get(f"{PAGES}/track/{code}").text
    assert "已换新灯" in done
    assert 'id="confirmation-resolved"' in done
    assert "林阿婆" not in done

    wrong = _post(aff.client, f"/track/{code}/confirmation", {"resolved": "maybe"})
    assert wrong.status_code == 422
    assert 'id="confirmation-resolved-error"' in wrong.text
    confirmed = _post(aff.client, f"/track/{code}/confirmation", {"resolved": "true"})
    assert confirmed.status_code == 302
    assert aff.get(f"/matters/{matter['id']}").get_json()["confirmed_at"] is not None
    rated = _post(aff.client, f"/track/{code}/rating", {"score": "5", "comment": "谢谢"})
    assert rated.status_code == 302
    assert 'id="rating-score"' not in aff.client.get(f"{PAGES}/track/{code}").text
    again = _post(aff.client, f"/track/{code}/rating", {"score": "1"})
    assert again.status_code == 422
    assert '<p class="flash error" role="alert">该事项已评价过' in again.text
    ratings = aff.get(f"/matters/{matter['id']}/ratings").get_json()
    assert [(r["score"], r["source"]) for r in ratings] == [(5, "reporter")]
    closed = aff.ok(f"/matters/{matter['id']}/close", {"basis": "confirmation"})
    assert closed["ending"] == "closed"


def test_a_code_or_vote_of_another_community_is_not_found(aff: Affairs) -> None:
    beta_code = _code(_raise(aff.client, slug="beta"))
    beta = aff.get("/matters", slug="beta").get_json()[0]
    aff.ok(f"/matters/{beta['id']}/accept", {}, slug="beta")
    body = {"question": "同意吗", "options": ["同意", "不同意"]}
    poll = aff.ok(f"/matters/{beta['id']}/poll", body, 201, slug="beta")
    for path in (f"/track/{beta_code}", f"/thanks/{beta_code}", f"/polls/{poll['id']}"):
        response = aff.client.get(f"{PAGES}{path}")
        assert response.status_code == 404, path
        assert aff.client.get(f"/p/beta/affairs{path}").status_code == 200, path
    posted = _post(aff.client, f"/track/{beta_code}/rating", {"score": "5"})
    assert posted.status_code == 404
    for made_up in ("0" * 12, "../x", "short"):
        assert aff.client.get(f"{PAGES}/track/{made_up}").status_code == 404


def test_a_resident_the_registry_knows_votes_once(aff: Affairs) -> None:
    aff.resident("林阿婆", "13800001111")
    matter = aff.deliberating()
    poll = aff.poll(matter["id"])
    page = aff.client.get(f"{PAGES}/polls/{poll['id']}")
    assert page.status_code == 200
    assert "是否同意更换曳引轮？" in page.text
    assert matter["number"] in page.text
    for field in ("option-0", "option-1", "name", "phone"):
        assert f'<label for="{field}">' in page.text
    vote = {"name": "林阿婆", "phone": "138 0000 1111", "option": "0"}
    cast = _post(aff.client, f"/polls/{poll['id']}", vote)
    assert cast.status_code == 302
    assert aff.get(f"/matters/{matter['id']}/poll").get_json()["tally"] == [1, 0]
    twice = _post(aff.client, f"/polls/{poll['id']}", {**vote, "option": "1"})
    assert twice.status_code == 422
    assert 'role="alert"' in twice.text
    stranger = _post(aff.client, f"/polls/{poll['id']}", {**vote, "phone": "13899999999"})
    assert stranger.status_code == 422
    assert 'role="alert">只有社区登记在册的居民可以投票' in stranger.text
    no_choice = _post(aff.client, f"/polls/{poll['id']}", {"name": "林阿婆", "phone": "1"})
    assert no_choice.status_code == 422
    assert 'id="option-error"' in no_choice.text
    assert 'id="phone-error"' in no_choice.text
    aff.end_poll(poll["id"])
    late = _post(aff.client, f"/polls/{poll['id']}", vote)
    assert late.status_code == 422
    closed = aff.client.get(f"{PAGES}/polls/{poll['id']}").text
    assert 'name="option"' not in closed
    assert aff.get(f"/matters/{matter['id']}/poll").get_json()["tally"] == [1, 0]


def test_the_board_shows_what_was_done(aff: Affairs) -> None:
    aff.enable("alpha", duplicate_hours=0)
    published = aff.published()
    aff.matter(title="<b>还没办完</b>")
    board = aff.client.get(f"{PAGES}/board")
    assert board.status_code == 200
    assert published["number"] in board.text
    assert "已更换曳引轮" in board.text
    assert "还没办完" not in board.text
    assert published["tracking_code"] not in board.text
    assert aff.client.get(f"{PAGES}/board?category=admin_service").text.count("<article>") == 0
    aff.enable("alpha", public_board=False)
    assert aff.client.get(f"{PAGES}/board").status_code == 404


def test_the_pages_speak_english_on_request(aff: Affairs) -> None:
    english = aff.client.get(f"{PAGES}/?lang=en").text
    assert "Raise a matter" in english
    assert "Raise → Deliberate" in english
    assert "Raise a matter" in aff.client.get(f"{PAGES}/board").text  # remembered
