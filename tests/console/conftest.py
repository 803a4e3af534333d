"""Browser tests of the console: the app served on loopback by a real threaded WSGI
server, driven by Playwright in Debian's headless Chromium (``make browser`` installs it;
a browser is never downloaded). Screenshots go to ``artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from linli import db
from linli.identity.models import User
from linli.identity.secrets import hash_password
from tests.conftest import Communities

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PASSWORD = "Linli-browser-test-9"
#: Typed into every free-text field the walks fill: it must come back as text, inert.
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">'


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """``app`` on a free loopback port, in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's Chromium at /usr/bin/chromium (make browser)")
        pytest.skip("no /usr/bin/chromium: run `make browser`")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    yield opened
    context.close()


@pytest.fixture
def site(app: Flask, communities: Communities) -> Iterator[str]:
    with serving(app) as base:
        yield base


def give_password(app: Flask, person: str) -> str:
    """The fixture person's email, after giving them :data:`PASSWORD`."""
    email = f"{person}@linli.test"
    with app.app_context(), db.database().session_scope() as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        user.password_hash = hash_password(PASSWORD)
    return email


def log_in(page: Page, base: str, app: Flask, person: str, screenshot: str | None = None) -> None:
    """Log in through the login form (where the console sends a stranger)."""
    email = give_password(app, person)
    page.goto(f"{base}/console/")
    if screenshot:
        shoot(page, screenshot)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/")


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def assert_inert(page: Page) -> None:
    """No injected script ran, and what was typed is shown as text."""
    assert page.evaluate("window.__xss") is None
    assert page.locator("script:text('window.__xss')").count() == 0


UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden' && e.offsetParent !== null)
  .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label'))
  .map(e => e.name || e.id)"""


def assert_labelled(page: Page) -> None:
    """Every visible form control has a label a screen reader announces."""
    assert page.evaluate(UNLABELLED) == []
