"""A spreadsheet import from the console, with jobs on the real Redis: the page shows the
job queued, follows its progress (htmx polling the job) while a real ``linli worker``
runs it, and shows the result with the one bad row by its number."""

from __future__ import annotations

import subprocess
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, expect

from linli.config import Settings
from tests.conftest import Communities
from tests.console.conftest import XSS, assert_inert, log_in, serving, shoot
from tests.test_jobs import ROOT, WORKER, _env
from tests.test_residents_transfer import HEADER, _row
from tests.uploads import xlsx


def test_an_import_shows_its_progress_and_its_result(
    queued_app: Flask,
    settings: Settings,
    redis_url: str,
    communities: Communities,
    page: Page,
    tmp_path: Path,
) -> None:
    bad = list(_row(2))
    bad[4] = "350102199001011235"  # wrong check digit
    sheet = tmp_path / "居民.xlsx"
    sheet.write_bytes(xlsx(HEADER, [_row(0), _row(1), tuple(bad)]))
    with serving(queued_app) as site:
        log_in(page, site, queued_app, "alpha_admin")
        page.goto(f"{site}/console/t/alpha/residents")
        page.click("text=从表格导入")
        page.set_input_files("#file", str(sheet))
        page.fill("#purpose", "社区服务与管理" + XSS)
        page.check("input[name=mode][value=valid]")
        shoot(page, "residents-import")
        page.click("button:text('开始导入')")
        status = page.locator(".job-status")
        expect(status).to_have_attribute("data-status", "queued")
        expect(page.locator("progress")).to_be_visible()
        worker = subprocess.run(
            [*WORKER, "worker", "--burst"],
            cwd=ROOT,
            env=_env(settings, redis_url),
            timeout=120,
            capture_output=True,
            check=False,
        )
        assert worker.returncode == 0, worker.stderr.decode()[-2000:]
        expect(status).to_have_attribute("data-status", "finished", timeout=30_000)
        expect(page.locator(".job-result")).to_have_text("共 3 行，已导入 2 行。")
        bad_rows = page.locator("tr.row-error")
        expect(bad_rows).to_have_count(1)
        expect(bad_rows.first.locator("td").first).to_have_text("4")
        assert_inert(page)
        shoot(page, "residents-import-result")
        page.goto(f"{site}/console/t/alpha/residents?q=居民")
        expect(page.locator("tbody tr")).to_have_count(2)
        expect(page.locator("tbody")).to_contain_text("139****0000")
        expect(page.locator("tbody")).not_to_contain_text("13900000000")
        shoot(page, "residents-list")
