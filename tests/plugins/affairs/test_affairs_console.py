"""The affairs module's console pages: the tracked list with its filters, entering a
matter for a resident, one matter walked through the six steps from its page (and the
changes seen through the API), errors next to their fields, the figures with the six
indicators, the QR codes to print, and every endpoint refusing whoever must not reach it."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from flask import Flask
from sqlalchemy import update

from linli import db
from linli.identity.models import Membership, User
from linli.tenancy.context import tenant_context
from linli.tenancy.models import Tenant
from plugins.affairs import hooks
from plugins.affairs.console import STEPS
from plugins.affairs.demo import seed_changpu
from plugins.affairs.labels import FIGURES
from plugins.affairs.models import Matter
from tests.console_support import (
    Endpoint,
    console_client,
    isolation_failures,
    post_form,
    unlisted_endpoints,
)
from tests.plugins.affairs.conftest import Affairs, public_url

CONSOLE = "/console/t/alpha/affairs"
HOSTILE = "<script>alert(1)</script>"


def _late(aff: Affairs, matter_id: str) -> None:
    """Move a matter's deadline into the past."""
    with aff.app.app_context(), tenant_context(aff.communities.alpha.ref):
        session = db.session()
        yesterday = date.today() - timedelta(days=1)
        session.execute(
            update(Matter).where(Matter.id == uuid.UUID(matter_id)).values(stage_due_on=yesterday)
        )
        session.commit()


def _rows(page: str) -> list[str]:
    """The titles of the tracked list's rows, in order."""
    return re.findall(r'<td><a href="[^"]+/matters/[^"]+">([^<]+)</a></td>', page)


def test_the_tracked_list_filters_and_escapes(app: Flask, aff: Affairs) -> None:
    lamp = aff.matter(title="路灯不亮", description="路灯坏了")
    lift = aff.deliberating()  # 老电梯…, taken on: at 议事
    aff.matter(title=HOSTILE, description="脚本", category="admin_service")
    _late(aff, lamp["id"])
    admin = console_client(app, "alpha_admin")
    listed = admin.get(CONSOLE)
    assert listed.status_code == 200
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert _rows(listed.text) == [escaped, lift["title"], "路灯不亮"]
    assert "<script>alert" not in listed.text
    assert lamp["number"] in listed.text
    assert "议事" in listed.text
    assert "社会服务" in listed.text
    assert _rows(admin.get(f"{CONSOLE}?stage=deliberate").text) == [lift["title"]]
    assert _rows(admin.get(f"{CONSOLE}?category=admin_service").text) == [escaped]
    overdue = admin.get(f"{CONSOLE}?overdue=1").text
    assert _rows(overdue) == ["路灯不亮"]
    assert "已超期" in overdue
    assert _rows(admin.get(f"{CONSOLE}?q={lamp['number']}").text) == ["路灯不亮"]
    wrong = admin.get(f"{CONSOLE}?stage=nonsense")
    assert wrong.status_code == 422
    assert 'id="stage-error"' in wrong.text
    english = admin.get(f"{CONSOLE}?lang=en").text
    assert "Tracked list" in english
    assert "Deliberate" in english


def test_staff_enter_a_matter_for_a_resident(app: Flask, aff: Affairs) -> None:
    admin = console_client(app, "alpha_admin")
    building = str(aff.communities.alpha.buildings[1])
    form = admin.get(f"{CONSOLE}/matters/new")
    assert form.status_code == 200
    for name in ("title", "description", "category", "building_id", "reporter_phone"):
        assert f'<label for="{name}">' in form.text
    made = post_form(
        admin,
        f"{CONSOLE}/matters/new",
        {
            "title": "楼道灯坏了",
            "description": "3单元楼道灯不亮",
            "category": "admin_service",
            "building_id": building,
            "reporter_name": "林阿婆",
            "reporter_phone": "13812345678",
        },
    )
    assert made.status_code == 302
    [matter] = aff.get("/matters").get_json()
    assert made.headers["Location"].endswith(f"/matters/{matter['id']}")
    assert (matter["channel"], matter["building_id"], matter["reporter_phone_masked"]) == (
        "staff",
        building,
        "138****5678",
    )
    page = admin.get(made.headers["Location"]).text
    assert matter["tracking_code"] in page  # to tell the resident who called
    assert "13812345678" not in page

    missing = post_form(admin, f"{CONSOLE}/matters/new", {"category": "admin_service"})
    assert missing.status_code == 422
    assert 'aria-describedby="title-error"' in missing.text
    assert 'class="field-error" id="description-error"' in missing.text
    unknown = post_form(
        admin,
        f"{CONSOLE}/matters/new",
        {"title": "t", "description": "另一件事", "category": "nonsense"},
    )
    assert unknown.status_code == 422
    assert "请选择本社区设定的类别" in unknown.text.split('id="category-error"')[1][:80]
    assert 'id="category-error"' in unknown.text
    assert len(aff.get("/matters").get_json()) == 1


def test_a_matter_walks_the_six_steps_from_its_page(app: Flask, aff: Affairs) -> None:
    voter = aff.resident("林阿婆", "13800001111")
    matter = aff.matter()
    page = f"{CONSOLE}/matters/{matter['id']}"
    admin = console_client(app, "alpha_admin")

    def step(path: str, data: dict[str, str] | None = None) -> None:
        response = post_form(admin, f"{page}/{path}", data or {})
        assert response.status_code == 302, (path, response.text[:2000])
        assert response.headers["Location"].endswith(page)

    first = admin.get(page)
    assert first.status_code == 200
    assert 'id="step-accept"' in first.text
    step("accept", {"note": "当天受理"})
    step("poll", {"question": "是否同意更换曳引轮？", "options": "同意\n不同意\n"})
    poll = aff.get(f"/matters/{matter['id']}/poll").get_json()
    assert poll["options"] == ["同意", "不同意"]
    found = admin.get(f"{page}?voter=林阿").text
    assert f'<option value="{voter}"' in found
    assert "138****1111" in found
    step("ballot", {"resident_id": voter, "option": "1"})
    shown = admin.get(page).text
    assert "是否同意更换曳引轮？" in shown
    assert re.search(r"<td>不同意</td><td>1</td>", shown)
    assert aff.get(f"/matters/{matter['id']}/poll").get_json()["tally"] == [0, 1]
    assert 'id="step-plan"' not in shown  # not while the vote is open
    aff.end_poll(poll["id"])
    step("plan", {"owner": "物业服务中心", "plan": "更换曳引轮"})
    step("progress", {"note": "配件已到", "public": "false"})
    step("done", {"result": "已更换曳引轮"})
    step("publish", {"note": "欢迎评价"})
    step("rating", {"score": "5", "comment": "很满意"})
    visited = {
        "visited_on": date.today().isoformat(),
        "visitor": "社工小林",
        "method": "phone",
        "reached": "true",
        "resolved": "true",
        "findings": "电梯运行正常",
    }
    step("visit", visited)
    step("close", {"basis": "visit"})

    closed = aff.get(f"/matters/{matter['id']}").get_json()
    assert (closed["ending"], closed["close_basis"], closed["owner"]) == (
        "closed",
        "visit",
        "物业服务中心",
    )
    events = aff.get(f"/matters/{matter['id']}/events").get_json()
    assert [e["kind"] for e in events] == [
        "raised",
        "accepted",
        "vote_opened",
        "planned",
        "progress",
        "done",
        "published",
        "rated",
        "visited",
        "closed",
    ]
    assert [e["public"] for e in events if e["kind"] == "progress"] == [False]
    final = admin.get(page).text
    assert "已销号" in final
    assert "回访确认已解决" in final
    assert "配件已到" in final
    assert "电梯运行正常" in final
    assert "下一步" not in final  # nothing left to do
    ratings = aff.get(f"/matters/{matter['id']}/ratings").get_json()
    assert [(r["score"], r["source"]) for r in ratings] == [(5, "staff")]


def test_refused_steps_come_back_next_to_their_form(app: Flask, aff: Affairs) -> None:
    aff.enable("alpha", duplicate_hours=0)
    matter = aff.deliberating()
    page = f"{CONSOLE}/matters/{matter['id']}"
    admin = console_client(app, "alpha_admin")
    unagreed = post_form(admin, f"{page}/plan", {"owner": "物业", "plan": "修"})
    assert unagreed.status_code == 422
    assert 'id="plan-decision-error"' in unagreed.text
    assert "<details open" in unagreed.text.split('id="step-plan"')[0][-40:]
    one_option = post_form(admin, f"{page}/poll", {"question": "同意吗", "options": "同意"})
    assert one_option.status_code == 422
    assert 'id="poll-options-error"' in one_option.text
    assert aff.get(f"/matters/{matter['id']}/poll").status_code == 404
    published = aff.published()
    unproven = post_form(admin, f"{CONSOLE}/matters/{published['id']}/close", {"basis": "visit"})
    assert unproven.status_code == 422
    assert 'role="alert"' in unproven.text
    assert aff.get(f"/matters/{published['id']}").get_json()["ending"] is None
    wrong_stage = post_form(admin, f"{CONSOLE}/matters/{published['id']}/accept", {})
    assert wrong_stage.status_code == 422
    assert 'role="alert"' in wrong_stage.text
    nonsense = post_form(admin, f"{page}/explode", {})
    assert nonsense.status_code == 404


def test_decline_and_hand_to_the_hotline(app: Flask, aff: Affairs) -> None:
    aff.enable("alpha", duplicate_hours=0)
    declined, transferred = aff.matter(), aff.matter()
    admin = console_client(app, "alpha_admin")
    reason = {"reason": "不属于社区职责"}
    for matter, step in ((declined, "decline"), (transferred, "transfer")):
        response = post_form(admin, f"{CONSOLE}/matters/{matter['id']}/{step}", reason)
        assert response.status_code == 302
    endings = {m["id"]: m["ending"] for m in aff.get("/matters").get_json()}
    assert endings == {declined["id"]: "declined", transferred["id"]: "transferred"}
    listed = admin.get(CONSOLE).text
    assert "不予受理" in listed
    assert "已转12345热线" in listed
    updates = aff.get("/matters?ending=transferred").get_json()
    assert [m["transfer_reason"] for m in updates] == ["不属于社区职责"]


def test_the_figures_and_the_six_indicators(app: Flask, aff: Affairs) -> None:
    closed = aff.published()
    code = closed["tracking_code"]
    aff.client.post(public_url(f"/matters/{code}/confirmation"), json={"resolved": True})
    aff.ok(f"/matters/{closed['id']}/close", {"basis": "confirmation"})
    aff.matter(description="刚提出的事", category="admin_service")
    admin = console_client(app, "alpha_admin")
    page = admin.get(f"{CONSOLE}/statistics")
    assert page.status_code == 200
    assert "echarts.min.js" in page.text
    assert page.text.count('class="chart"') == 3
    for title in ("响应率", "办结率", "解决率", "满意率", "按时反馈率", "有效回访率"):
        assert title in page.text, title
    assert "行政便民" in page.text
    assert "提事" in page.text
    assert "<td>100%</td>" in page.text  # 办结率: the one taken on is closed off
    english = admin.get(f"{CONSOLE}/statistics?lang=en").text
    assert "On-time feedback rate" in english
    later = admin.get(f"{CONSOLE}/statistics?since={date.today() + timedelta(days=1)}")
    assert later.status_code == 200
    assert "<td>0</td>" in later.text
    backwards = admin.get(f"{CONSOLE}/statistics?since=2025-02-01&until=2025-01-01")
    assert backwards.status_code == 422
    assert 'class="field-error" id="until-error"' in backwards.text


def test_the_qr_codes_to_print(app: Flask, aff: Affairs) -> None:
    admin = console_client(app, "alpha_admin")
    building = aff.communities.alpha.buildings[0]
    page = admin.get(f"{CONSOLE}/qr")
    assert page.status_code == 200
    assert page.text.count("<figure>") == 5  # the community and its four buildings
    assert "福百社区第1小区 1号楼" in page.text
    assert f"http://127.0.0.1:8000/p/alpha/affairs/?building_id={building}" in page.text
    assert f'src="{CONSOLE}/qr/code.svg?building_id={building}"' in page.text
    svg = admin.get(f"{CONSOLE}/qr/code.svg?building_id={building}")
    assert (svg.status_code, svg.mimetype) == (200, "image/svg+xml")
    assert b"<svg" in svg.data
    png = admin.get(f"{CONSOLE}/qr/code.png")
    assert (png.mimetype, png.data[:4]) == ("image/png", b"\x89PNG")
    foreign = admin.get(f"{CONSOLE}/qr/code.svg?building_id={aff.communities.beta.buildings[0]}")
    assert foreign.status_code == 422
    assert admin.get(f"{CONSOLE}/qr/code.gif").status_code == 404


def _grant(aff: Affairs, person: str, roles: list[str]) -> None:
    with aff.app.app_context(), db.database().session_scope() as session:
        user = session.query(User).filter_by(email=f"{person}@linli.test").one()
        tenant_id = aff.communities.alpha.ref.id
        session.add(Membership(tenant_id=tenant_id, user_id=user.id, roles=roles))


def test_a_handler_notes_progress_but_does_not_decide(app: Flask, aff: Affairs) -> None:
    _grant(aff, "nobody", ["affairs.handler"])
    planned = aff.planned()
    handler = console_client(app, "nobody")
    page = handler.get(f"{CONSOLE}/matters/{planned['id']}").text
    assert 'id="step-progress"' in page
    assert 'id="step-done"' not in page
    noted = post_form(handler, f"{CONSOLE}/matters/{planned['id']}/progress", {"note": HOSTILE})
    assert noted.status_code == 302
    shown = handler.get(noted.headers["Location"]).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "<script>alert" not in shown
    refused = post_form(handler, f"{CONSOLE}/matters/{planned['id']}/done", {"result": "好了"})
    assert refused.status_code == 403
    assert aff.get(f"/matters/{planned['id']}").get_json()["stage"] == "execute"
    menu = handler.get(CONSOLE).text
    assert "民情二维码" in menu
    assert "实事统计" in menu


def test_every_endpoint_refuses_whoever_must_not_reach_it(app: Flask, aff: Affairs) -> None:
    matter = aff.deliberating()
    aff.poll(matter["id"])
    photo = uuid.uuid4()  # refused before the photo is looked up
    base = f"matters/{matter['id']}"
    endpoints = [
        Endpoint("GET", "", "alpha_staff"),
        Endpoint("GET", "matters/new", "alpha_staff"),
        Endpoint("POST", "matters/new", "alpha_staff"),
        Endpoint("GET", base, "alpha_staff", row=True),
        Endpoint("GET", f"{base}/photos/{photo}", "alpha_staff", row=True),
        Endpoint("GET", "statistics", "alpha_staff"),
        Endpoint("GET", "qr", "alpha_staff"),
        Endpoint("GET", "qr/code.svg", "alpha_staff"),
        *(Endpoint("POST", f"{base}/{step}", "alpha_staff", row=True) for step in STEPS),
    ]
    assert unlisted_endpoints(app, "affairs_console", "affairs", endpoints) == set()
    assert isolation_failures(app, "affairs", endpoints) == []
    unchanged = aff.get(f"/matters/{matter['id']}").get_json()
    assert (unchanged["stage"], unchanged["ending"]) == ("deliberate", None)
    assert len(aff.get("/matters").get_json()) == 1


def test_the_bureau_dashboard_titles_every_figure(app: Flask, aff: Affairs) -> None:
    aff.matter()
    with app.app_context(), tenant_context(aff.communities.alpha.ref):
        reported = hooks.bureau_statistics(db.session().get(Tenant, aff.communities.alpha.ref.id))
    assert {"matters", "closed", "overdue", "response_rate"} <= set(reported["affairs"])
    assert set(reported["affairs"]) <= set(FIGURES)
    page = console_client(app, "bureau_yinxi").get("/console/bureau/dashboard?lang=en")
    assert page.status_code == 200
    for title in ("Matters raised", "Matters closed off", "Response rate", "Completion rate"):
        assert title in page.text, title


def test_changpus_demo_year_renders_everywhere(app: Flask, aff: Affairs) -> None:
    """A year of 菖蒲社区's matters: the list pages, a closed file, the figures, the board."""
    with app.app_context(), tenant_context(aff.communities.beta.ref):
        session = db.session()
        seed_changpu(session)
        session.commit()
    admin = console_client(app, "beta_admin")
    listed = admin.get("/console/t/beta/affairs?page=2")
    assert listed.status_code == 200
    assert len(_rows(listed.text)) == 30
    assert "第 2 页，共 5 页" in listed.text
    closed = aff.get("/matters?ending=closed", slug="beta").get_json()[0]
    page = admin.get(f"/console/t/beta/affairs/matters/{closed['id']}")
    assert page.status_code == 200
    assert "已销号" in page.text
    assert "下一步" not in page.text
    figures = admin.get("/console/t/beta/affairs/statistics")
    assert figures.status_code == 200
    assert "<td>125</td>" in figures.text
    board = app.test_client().get("/p/beta/affairs/board?page=7")
    assert board.status_code == 200
    assert board.text.count("<article>") == 5  # 125 published, 20 a page
