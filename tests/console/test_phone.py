"""A grid worker's phone: the console fits a narrow screen (no sideways scrolling of the
page), its menu stays reachable, and it can be used with the keyboard alone."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Browser, expect

from tests.conftest import auth
from tests.console.conftest import XSS, assert_inert, assert_labelled, log_in, shoot

FITS = "() => document.documentElement.scrollWidth <= window.innerWidth + 1"


def test_the_console_fits_a_phone(app: Flask, site: str, browser: Browser) -> None:
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        log_in(page, site, app, "alpha_staff")
        page.goto(f"{site}/console/t/alpha/residents")
        expect(page.locator("h1")).to_have_text("居民")
        assert page.evaluate(FITS)
        assert_labelled(page)
        expect(
            page.get_by_role("navigation", name="社区").get_by_role("link", name="小区楼栋")
        ).to_be_visible()
        shoot(page, "phone-residents")
    finally:
        context.close()


def test_the_keyboard_reaches_the_content_and_the_menu(
    app: Flask, site: str, browser: Browser
) -> None:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        log_in(page, site, app, "alpha_admin")
        page.goto(f"{site}/console/t/alpha/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "跳到正文"
        page.keyboard.press("Enter")
        assert page.url.endswith("#content")
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent") == "成员":
                break
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_have_text("成员")
    finally:
        context.close()


def test_a_resident_raises_a_matter_from_the_qr_form_on_a_phone(
    app: Flask, site: str, browser: Browser
) -> None:
    """No account: the form a 民情二维码 opens, a tracking code back, and the matter on the
    staff's tracked list."""
    enabled = app.test_client().put(
        "/api/v1/t/alpha/modules/affairs", json={"enabled": True}, headers=auth("alpha_admin")
    )
    assert enabled.status_code == 200, enabled.text
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{site}/p/alpha/affairs/")
        assert_labelled(page)
        page.fill("#title", "楼道灯不亮" + XSS)
        page.fill("#description", "3号楼2单元楼道灯坏了一周。" + XSS)
        page.fill("#location", "2单元三楼" + XSS)
        shoot(page, "resident-qr-form")
        page.click("button[type=submit]")
        code = page.locator(".tracking-code")
        expect(code).to_be_visible()
        assert_inert(page)
        assert page.evaluate(FITS)
        shoot(page, "resident-tracking-code")
        tracking = code.inner_text().strip()
        log_in(page, site, app, "alpha_admin")
        page.goto(f"{site}/console/t/alpha/affairs")
        expect(page.locator("tbody")).to_contain_text("楼道灯不亮" + XSS)
        assert_inert(page)
        shoot(page, "affairs-tracked-list")
        assert tracking not in page.content()  # the resident's code is theirs, not the list's
    finally:
        context.close()
