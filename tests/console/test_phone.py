"""A grid worker's phone: the console fits a narrow screen (no sideways scrolling of the
page), its menu stays reachable, and it can be used with the keyboard alone."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Browser, expect

from tests.console.conftest import assert_labelled, log_in, shoot

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
