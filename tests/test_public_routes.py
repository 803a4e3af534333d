"""The core's pieces for anonymous pages and uploads, apart from any module: a public
blueprint must sit where its manifest says; rate limits count per address and community,
in Redis when there is one and in memory while it is down; stored files are sniffed and
kept per community; QR codes come out as PNG or SVG."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import segno
from flask import Blueprint as FlaskBlueprint
from flask import Flask, g
from limits import parse

from linli import storage
from linli.api.problems import Problem
from linli.api.public_api import PublicLimits, public_blueprint, throttle
from linli.api.public_pages import public_pages
from linli.api.smorest import Blueprint
from linli.plugins.manifest import manifest_problems
from linli.qrcodes import qr_image
from linli.tenancy.context import TenantRef, tenant_context
from plugins.noticeboard.manifest import plugin as board


def test_a_public_blueprint_must_be_the_modules_own() -> None:
    good = public_blueprint("noticeboard", __name__)
    assert manifest_problems(replace(board, public_blueprint=good)) == []
    other = public_blueprint("canteens", __name__)
    assert (
        "public_blueprint must be" in manifest_problems(replace(board, public_blueprint=other))[0]
    )
    plain = Blueprint("board_plain", __name__, url_prefix="/api/v1/public/<slug>/noticeboard")
    found = manifest_problems(replace(board, public_blueprint=plain))
    assert "must come from linli.api.public_api" in found[0]


def test_public_pages_must_be_the_modules_own() -> None:
    good = public_pages("noticeboard", __name__)
    assert good.url_prefix == "/p/<slug>/noticeboard"
    assert manifest_problems(replace(board, public_pages=good)) == []
    other = public_pages("canteens", __name__)
    assert "public_pages must be" in manifest_problems(replace(board, public_pages=other))[0]
    plain = FlaskBlueprint("board_pages", __name__, url_prefix="/p/<slug>/noticeboard")
    found = manifest_problems(replace(board, public_pages=plain))
    assert "must come from linli.api.public_pages" in found[0]


def test_limits_count_per_scope_community_and_address(app: Flask) -> None:
    limits = PublicLimits(None, "60/minute")
    app.extensions["linli.public_limits"], saved = limits, app.extensions["linli.public_limits"]
    try:
        for address, allowed in (("10.0.0.1", 2), ("10.0.0.2", 1)):
            with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
                g.tenant = type("T", (), {"id": 7})()
                for _ in range(allowed):
                    throttle("demo.submit", "2/hour")
                if address == "10.0.0.1":
                    with pytest.raises(Problem) as refused:
                        throttle("demo.submit", "2/hour")
                    assert refused.value.code == 429
                    assert int(refused.value.extra_headers["Retry-After"]) > 3000
                    throttle("demo.other", "2/hour")  # another scope counts apart
    finally:
        app.extensions["linli.public_limits"] = saved


def test_limits_fall_back_to_memory_while_redis_is_down() -> None:
    limits = PublicLimits("redis://127.0.0.1:1/0", "1/minute")  # nothing listens on port 1
    item = parse("2/minute")
    assert [limits.hit(item, "scope", "1", "a") for _ in range(3)] == [True, True, False]
    assert limits.retry_after(item, "scope", "1", "a") >= 1


def test_limits_are_shared_through_redis(redis_url: str) -> None:
    first, second = PublicLimits(redis_url, "1/minute"), PublicLimits(redis_url, "1/minute")
    item = parse("1/minute")
    assert first.hit(item, "scope", "1", "a") is True
    assert second.hit(item, "scope", "1", "a") is False  # another web process, one count
    second.reset()
    assert first.hit(item, "scope", "1", "a") is True


def test_stored_files_are_sniffed_and_kept_per_community(app: Flask, tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
    with app.app_context():
        with tenant_context(TenantRef(1, "one")):
            kept = storage.store("demo", png)
            assert kept is not None
            assert kept.content_type == "image/png"
            path = storage.path_of("demo", kept.id, kept.content_type)
            assert path.read_bytes() == png
            assert path.parent.name == "1"
            assert path.name == f"{kept.id}.png"
            assert storage.store("demo", b"%PDF-1.7") is None  # not an image
            assert storage.store("demo", b"%PDF-1.7", {"application/pdf"}) is not None
            assert storage.store("demo", b"<svg onload=alert(1)>") is None
        with tenant_context(TenantRef(2, "two")):
            assert not storage.path_of("demo", kept.id, kept.content_type).exists()
        with tenant_context(TenantRef(1, "one")):
            storage.remove("demo", kept.id, kept.content_type)
            assert not path.exists()
            with pytest.raises(ValueError, match="badly formed"):
                storage.path_of("demo", "../../etc/passwd", "image/png")  # type: ignore[arg-type]


def test_qr_codes_encode_the_link() -> None:
    link = "http://127.0.0.1:8000/api/v1/public/alpha/affairs/form?building_id=1"
    png = qr_image(link, "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = qr_image(link, "svg").decode()
    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg
    assert qr_image(link + "x", "png") != png
    assert segno.make(link, error="m").version <= 10
