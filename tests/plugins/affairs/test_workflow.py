"""The 六事 workflow from 提事 to 销号, its 五事 variant, deadlines, and the rule that a
matter is closed off only on the resident's word or a visit that reached them."""

from __future__ import annotations

from datetime import date, timedelta

from tests.conftest import problem
from tests.plugins.affairs.conftest import Affairs, public_url


def _track(aff: Affairs, code: str) -> dict[str, object]:
    response = aff.client.get(public_url(f"/matters/{code}"))
    assert response.status_code == 200, response.get_json()
    found: dict[str, object] = response.get_json()
    return found


def test_the_six_steps_from_raise_to_closing_off(aff: Affairs) -> None:
    today = date.today()
    matter = aff.matter(reporter_name="李阿婆", reporter_phone="13812345678")
    assert matter["number"] == f"ALPHA{today.year}-0001"
    assert (matter["stage"], matter["stage_label"], matter["ending"]) == ("raise", "提事", None)
    assert matter["reporter_phone_masked"] == "138****5678"
    assert matter["stage_due_on"] == str(today + timedelta(days=1))
    mid = matter["id"]

    accepted = aff.ok(f"/matters/{mid}/accept", {"note": "业委会受理"})
    assert (accepted["stage"], accepted["stage_label"]) == ("deliberate", "议事")
    assert accepted["responded_at"] is not None
    poll = aff.poll(mid)
    assert poll["open"] is True
    assert poll["tally"] == [0, 0]
    early = aff.post(f"/matters/{mid}/plan", {"owner": "物业", "plan": "维修"})
    assert (early.status_code, problem(early)["code"]) == (409, "vote_open")
    aff.end_poll(poll["id"])

    planned = aff.ok(f"/matters/{mid}/plan", {"owner": "物业服务中心", "plan": "更换曳引轮"})
    assert (planned["stage"], planned["owner"]) == ("execute", "物业服务中心")
    assert planned["done_by"] == str(today + timedelta(days=7))  # 一周内完成
    assert planned["stage_due_on"] == planned["done_by"]
    note = aff.ok(f"/matters/{mid}/progress", {"note": "配件已到货"}, 201)
    assert note["kind"] == "progress"
    none = aff.client.post(
        f"/api/v1/t/alpha/affairs/matters/{mid}/photos",
        headers={"Authorization": "Bearer lin_pat_alpha-admin"},
        data={},
        content_type="multipart/form-data",
    )
    assert problem(none)["errors"]["files"]["photos"]
    photo = aff.client.post(
        f"/api/v1/t/alpha/affairs/matters/{mid}/photos",
        headers={"Authorization": "Bearer lin_pat_alpha-admin"},
        data={"photos": [(__import__("io").BytesIO(b"\xff\xd8\xff\xe0" + b"0" * 99), "a.jpg")]},
        content_type="multipart/form-data",
    )
    assert photo.status_code == 201, photo.get_json()
    assert photo.get_json()[0]["stage"] == "execute"
    image = aff.get(f"/matters/{mid}/photos/{photo.get_json()[0]['id']}")
    assert (image.status_code, image.mimetype) == (200, "image/jpeg")

    done = aff.ok(f"/matters/{mid}/done", {"result": "已更换曳引轮，电梯运行平稳"})
    assert (done["stage"], done["stage_label"]) == ("publish", "晒事")
    published = aff.ok(f"/matters/{mid}/publish", {})
    assert (published["stage"], published["published_at"] is not None) == ("rate", True)

    refused = aff.post(f"/matters/{mid}/close", {"basis": "confirmation"})
    assert (refused.status_code, problem(refused)["code"]) == (409, "not_confirmed")
    code = matter["tracking_code"]
    confirmed = aff.client.post(
        public_url(f"/matters/{code}/confirmation"), json={"resolved": True}
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    closed = aff.ok(f"/matters/{mid}/close", {"basis": "confirmation"})
    assert (closed["ending"], closed["close_basis"], closed["resolved"]) == (
        "closed",
        "confirmation",
        True,
    )
    kinds = [e["kind"] for e in aff.get(f"/matters/{mid}/events").get_json()]
    assert kinds == [
        "raised", "accepted", "vote_opened", "planned", "progress", "done", "published",
        "confirmed", "closed",
    ]  # fmt: skip
    again = aff.post(f"/matters/{mid}/close", {"basis": "confirmation"})
    assert (again.status_code, problem(again)["code"]) == (409, "wrong_stage")
    tracked = _track(aff, code)
    assert tracked["ending"] == "closed"
    assert "李阿婆" not in str(tracked)


def test_closing_on_a_visit_needs_one_that_reached_the_resident(aff: Affairs) -> None:
    mid = aff.published()["id"]
    visit = {"visited_on": str(date.today()), "visitor": "网格员小林", "findings": "家中无人"}
    missed = aff.ok(f"/matters/{mid}/visits", {**visit, "reached": False}, 201)
    assert missed["reached"] is False
    refused = aff.post(f"/matters/{mid}/close", {"basis": "visit"})
    assert (refused.status_code, problem(refused)["code"]) == (409, "no_visit")
    aff.ok(
        f"/matters/{mid}/visits",
        {
            **visit,
            "reached": True,
            "resolved": True,
            "satisfaction": 5,
            "findings": "居民表示已解决",
        },
        201,
    )
    closed = aff.ok(f"/matters/{mid}/close", {"basis": "visit"})
    assert closed["close_basis"] == "visit"
    ratings = aff.get(f"/matters/{mid}/ratings").get_json()
    assert [(r["score"], r["source"]) for r in ratings] == [(5, "visit")]


def test_a_resident_who_says_it_is_not_resolved_reopens_the_work(aff: Affairs) -> None:
    matter = aff.published()
    code = matter["tracking_code"]
    answer = aff.client.post(
        public_url(f"/matters/{code}/confirmation"), json={"resolved": False, "comment": "还在响"}
    )
    assert answer.status_code == 200
    reopened = aff.get(f"/matters/{matter['id']}").get_json()
    assert (reopened["stage"], reopened["resolved"], reopened["done_at"]) == (
        "execute",
        False,
        None,
    )
    refused = aff.post(f"/matters/{matter['id']}/close", {"basis": "confirmation"})
    assert problem(refused)["code"] == "wrong_stage"
    unresolved_visit = {
        "visited_on": str(date.today()),
        "visitor": "业委会",
        "reached": True,
        "resolved": False,
        "findings": "仍有异响",
    }
    assert aff.post(f"/matters/{matter['id']}/visits", unresolved_visit).status_code == 409


def test_decline_and_wrong_stages(aff: Affairs) -> None:
    matter = aff.matter()
    mid = matter["id"]
    for path, body in (
        ("/plan", {"owner": "物业", "plan": "修"}),
        ("/done", {"result": "好了"}),
        ("/publish", {}),
        ("/poll", {"question": "同意吗", "options": ["是", "否"]}),
        ("/progress", {"note": "进行中"}),
    ):
        response = aff.post(f"/matters/{mid}{path}", body)
        assert (response.status_code, problem(response)["code"]) == (409, "wrong_stage"), path
    declined = aff.ok(f"/matters/{mid}/decline", {"reason": "属于物业合同纠纷，请联系业委会"})
    assert (declined["ending"], declined["stage_due_on"]) == ("declined", None)
    tracked = _track(aff, matter["tracking_code"])
    assert tracked["declined_reason"] == "属于物业合同纠纷，请联系业委会"
    assert aff.post(f"/matters/{mid}/accept", {}).status_code == 409
    bad = aff.post("/matters", {**_uncategorised(), "category": "unknown"})
    assert (bad.status_code, problem(bad)["code"]) == (422, "validation_failed")


def _uncategorised() -> dict[str, str]:
    return {"title": "路灯不亮", "description": "2号楼前路灯不亮"}


def test_planning_without_a_vote_needs_what_was_agreed(aff: Affairs) -> None:
    mid = aff.deliberating()["id"]
    missing = aff.post(f"/matters/{mid}/plan", {"owner": "物业", "plan": "修"})
    assert problem(missing)["errors"]["json"]["decision"]
    past = aff.post(
        f"/matters/{mid}/plan",
        {"owner": "物业", "plan": "修", "decision": "议事会议定", "done_by": "2000-01-01"},
    )
    assert problem(past)["errors"]["json"]["done_by"]


def test_the_five_step_variant_and_custom_stages(aff: Affairs) -> None:
    aff.enable("alpha", variant="five")
    matter = aff.matter()
    assert matter["stage_label"] == "说事"
    mid = matter["id"]
    aff.ok(f"/matters/{mid}/accept", {})
    planned = aff.ok(f"/matters/{mid}/plan", {"owner": "梯长", "plan": "清理", "decision": "议定"})
    assert (planned["stage"], planned["stage_label"]) == ("plan", "理事")  # 理事 includes the work
    assert aff.post(f"/matters/{mid}/plan", {"owner": "x", "plan": "y"}).status_code == 409
    aff.ok(f"/matters/{mid}/progress", {"note": "已清理一半"}, 201)
    assert aff.ok(f"/matters/{mid}/done", {"result": "清理完毕"})["stage"] == "publish"

    custom = [
        {"key": "raise", "label": "收集民情", "days": 2},
        {"key": "plan", "label": "多元理事", "days": 3},
        {"key": "rate", "label": "居民评事", "days": 5},
    ]
    aff.enable("alpha", stages=custom)
    lean = aff.matter(description="另一件事")
    assert lean["stage_due_on"] == str(date.today() + timedelta(days=2))
    after = aff.ok(f"/matters/{lean['id']}/accept", {})
    assert (after["stage"], after["stage_label"]) == ("plan", "多元理事")
    aff.ok(f"/matters/{lean['id']}/plan", {"owner": "社区", "plan": "办"})
    rated = aff.ok(f"/matters/{lean['id']}/done", {"result": "办好了"})
    assert rated["stage"] == "rate"
    assert rated["published_at"] is not None

    for stages in (
        [{"key": "plan", "label": "理事", "days": 1}, {"key": "raise", "label": "提事", "days": 1}],
        [{"key": "raise", "label": "提事", "days": 1}, {"key": "rate", "label": "评事", "days": 1}],
    ):
        refused = aff.client.put(
            "/api/v1/t/alpha/modules/affairs",
            headers={"Authorization": "Bearer lin_pat_alpha-admin"},
            json={"enabled": True, "settings": {"stages": stages}},
        )
        assert refused.status_code == 422, refused.get_json()


def test_duplicates_transfer_and_corrections(aff: Affairs) -> None:
    matter = aff.matter()
    again = aff.post(
        "/matters",
        {"title": "同一件事", "description": matter["description"], "category": "social_service"},
    )
    assert (again.status_code, problem(again)["code"]) == (409, "duplicate_matter")
    fixed = aff.client.patch(
        f"/api/v1/t/alpha/affairs/matters/{matter['id']}",
        headers={"Authorization": "Bearer lin_pat_alpha-admin"},
        json={"category": "admin_service", "location": "3号楼电梯间"},
    )
    assert fixed.status_code == 200
    assert fixed.get_json()["category"] == "admin_service"
    moved = aff.ok(f"/matters/{matter['id']}/transfer", {"reason": "涉及市政道路，需12345派单"})
    assert moved["ending"] == "transferred"
    assert aff.post(f"/matters/{matter['id']}/transfer", {"reason": "再转"}).status_code == 409


def test_overdue_list_and_statistics(aff: Affairs) -> None:
    closed = aff.published()
    aff.client.post(public_url(f"/matters/{closed['tracking_code']}/rating"), json={"score": 5})
    aff.client.post(
        public_url(f"/matters/{closed['tracking_code']}/confirmation"), json={"resolved": True}
    )
    aff.ok(f"/matters/{closed['id']}/close", {"basis": "confirmation"})
    declined = aff.matter(description="不属于社区的事")
    aff.ok(f"/matters/{declined['id']}/decline", {"reason": "不属于社区职责"})
    aff.matter(description="刚提出的事", category="admin_service")
    figures = aff.get("/statistics").get_json()
    assert figures["matters"] == 3
    assert {c["key"]: c["count"] for c in figures["by_category"]} == {
        "admin_service": 1,
        "social_service": 2,
    }
    assert {c["key"]: c["count"] for c in figures["by_ending"]} == {"closed": 1, "declined": 1}
    assert figures["by_stage"] == [{"key": "raise", "count": 1}]
    indicators = figures["indicators"]
    assert indicators["response_rate"] == round(2 / 3, 4)
    assert indicators["completion_rate"] == 0.5  # of the two taken on, one closed
    assert indicators["resolution_rate"] == 1.0
    assert indicators["satisfaction_rate"] == 1.0
    assert indicators["on_time_feedback_rate"] == 1.0
    assert indicators["effective_visit_rate"] is None  # no visit: nothing to count
    assert figures["days_to_close_average"] is not None
    assert aff.get("/matters?overdue=true").get_json() == []
    assert len(aff.get("/matters?open=true").get_json()) == 1
    assert len(aff.get("/matters?q=ALPHA").get_json()) == 3
    later = aff.get(f"/statistics?since={date.today() + timedelta(days=1)}").get_json()
    assert later["matters"] == 0
    assert later["indicators"]["response_rate"] is None
    backwards = aff.get("/statistics?since=2025-02-01&until=2025-01-01")
    assert backwards.status_code == 422
