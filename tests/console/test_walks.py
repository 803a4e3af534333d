"""The console walked in a real browser, as the people of a 街道 would use it: the bureau
onboards a community, an admin fixes a setting, a partner switches communities, a
dispute goes from filed to resolved. Every free-text field gets :data:`XSS` appended and
each page after it is checked inert; screenshots of the main pages (zh_CN) are saved."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from linli import db
from linli.plugins.models import ModuleEnablement
from linli.tenancy.context import TenantRef, tenant_context
from linli.tenancy.models import Tenant
from tests.conftest import Communities, auth
from tests.console.conftest import XSS, assert_inert, assert_labelled, log_in, shoot


def _enable(app: Flask, slug: str, module: str, settings: dict[str, object] | None = None) -> None:
    response = app.test_client().put(
        f"/api/v1/t/{slug}/modules/{module}",
        json={"enabled": True, "settings": settings or {}},
        headers=auth("alpha_admin" if slug == "alpha" else "beta_admin"),
    )
    assert response.status_code == 200, response.text


def test_the_bureau_onboards_a_community_with_two_modules(
    app: Flask, site: str, page: Page
) -> None:
    log_in(page, site, app, "bureau_yinxi")
    page.click("text=本街道的社区")
    expect(page.locator("h1")).to_have_text("社区")
    shoot(page, "bureau-communities")
    page.click("text=接入新社区")
    page.fill("#name", "龙田社区" + XSS)
    page.fill("#slug", "longtian" + XSS)  # refused: a slug is letters, digits, hyphens
    page.check("#module_mediation")
    page.check("#module_canteens")
    page.fill("#admin_email", "longtian-admin@linli.test")
    page.fill("#admin_name", "龙田管理员" + XSS)
    page.click("button:text('接入')")
    expect(page.locator("#slug-error")).to_be_visible()
    assert_inert(page)
    expect(page.locator("#name")).to_have_value("龙田社区" + XSS)
    page.fill("#slug", "longtian")
    assert_labelled(page)
    shoot(page, "bureau-onboarding")
    page.click("button:text('接入')")
    row = page.locator("tr", has_text="longtian")
    expect(row).to_contain_text("龙田社区" + XSS)
    expect(row).to_contain_text("邻和议事厅")
    expect(row).to_contain_text("长者食堂")
    assert_inert(page)
    with app.app_context():
        session = db.session()
        tenant = session.scalars(select(Tenant).where(Tenant.slug == "longtian")).one()
        with tenant_context(TenantRef(tenant.id, tenant.slug)):
            enabled = session.scalars(
                select(ModuleEnablement.name).where(ModuleEnablement.enabled.is_(True))
            ).all()
    assert sorted(enabled) == ["canteens", "mediation"]
    page.click("text=统计看板")
    expect(page.locator(".chart svg").first).to_be_visible()
    shoot(page, "bureau-dashboard")


def test_an_admin_sees_a_settings_error_next_to_its_field_then_saves(
    app: Flask, site: str, page: Page, communities: Communities
) -> None:
    _enable(app, "alpha", "mediation")
    log_in(page, site, app, "alpha_admin")
    page.goto(f"{site}/console/t/alpha/modules")
    shoot(page, "community-modules")
    page.locator("#module-mediation").get_by_role("link").click()
    page.fill("#accept_within_days", "99")
    page.fill("#committee_name", "福百社区人民调解委员会" + XSS)
    page.click("button:text('保存')")
    error = page.locator("#accept_within_days-error")
    expect(error).to_be_visible()
    expect(page.locator("#accept_within_days")).to_have_attribute("aria-invalid", "true")
    assert_inert(page)
    assert_labelled(page)
    shoot(page, "community-settings-error")
    page.fill("#accept_within_days", "5")
    page.click("button:text('保存')")
    expect(page.locator(".flash")).to_contain_text("设置已保存")
    expect(page.locator("#committee_name")).to_have_value("福百社区人民调解委员会" + XSS)
    assert_inert(page)
    with app.app_context(), tenant_context(communities.alpha.ref):
        row = (
            db.session()
            .scalars(select(ModuleEnablement).where(ModuleEnablement.name == "mediation"))
            .one()
        )
        assert row.settings["accept_within_days"] == 5


def test_a_partner_member_switches_between_two_communities(
    app: Flask, site: str, page: Page
) -> None:
    log_in(page, site, app, "partner_shared", screenshot="login")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    switcher = page.locator("#community-switcher")
    switcher.locator("summary").click()
    switcher.get_by_role("link", name="菖蒲社区").click()
    expect(page.locator(".current-community")).to_have_text("菖蒲社区")
    shoot(page, "partner-community")
    switcher = page.locator("#community-switcher")
    switcher.locator("summary").click()
    switcher.get_by_role("link", name="福百社区").click()
    expect(page.locator(".current-community")).to_have_text("福百社区")
    assert "/console/t/alpha/" in page.url


def _step(page: Page, path: str) -> Locator:
    """The form of one step on the case page, unfolded as a person would."""
    details = page.locator(f"#step-{path}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details


def _save(page: Page, path: str) -> None:
    with page.expect_navigation():
        _step(page, path).locator("button").click()


def test_a_dispute_goes_from_filed_to_resolved(app: Flask, site: str, page: Page) -> None:
    _enable(app, "alpha", "mediation")
    added = app.test_client().post(
        "/api/v1/t/alpha/mediation/mediators",
        json={"name": "调解员老陈"},
        headers=auth("alpha_admin"),
    )
    assert added.status_code == 201, added.text
    log_in(page, site, app, "alpha_admin")
    page.goto(f"{site}/console/t/alpha/")
    page.get_by_role("link", name="调解案件").click()
    page.click("text=登记纠纷")
    page.fill("#title", "楼上漏水" + XSS)
    page.fill("#facts", "三楼卫生间漏水到二楼天花板。" + XSS)
    page.fill("#party0_name", "王阿姨" + XSS)
    page.fill("#party1_name", "李先生")
    assert_labelled(page)
    shoot(page, "mediation-register")
    page.click("button:text('登记')")
    state = page.locator(".case-state")
    expect(state).to_have_text("已登记")
    assert_inert(page)
    expect(page.locator("h1")).to_contain_text("楼上漏水" + XSS)
    _save(page, "accept")
    expect(state).to_have_text("已受理")
    _step(page, "mediators").get_by_label("调解员老陈").check()
    _save(page, "mediators")
    _save(page, "rights-notice")
    _save(page, "start")
    expect(state).to_have_text("调解中")
    _save(page, "resolve")  # no terms yet: refused next to the field
    expect(page.locator("#step-resolve #terms-error")).to_be_visible()
    _step(page, "resolve").locator("#agreement_kind").select_option("oral")
    _step(page, "resolve").locator("#terms").fill("李先生修好防水，赔偿吊顶费用。" + XSS)
    _save(page, "resolve")
    expect(state).to_have_text("调解成功")
    expect(page.locator("article")).to_contain_text("李先生修好防水")
    assert_inert(page)
    shoot(page, "mediation-case-resolved")
