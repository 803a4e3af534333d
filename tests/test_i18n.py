"""Chinese first, English switchable; both catalogues complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from linli.api.messages import localised
from tests.conftest import Communities, auth

ROOT = Path(__file__).resolve().parents[1]
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
#: Each catalogue folder with the sources whose texts it must hold: the core's, and each
#: plugin's own (a plugin ships its texts; the core merges them at start-up).
CATALOGUES = [(ROOT / "platform" / "linli", ROOT / "platform" / "linli" / "translations")] + [
    (folder, folder / "translations")
    for folder in sorted((ROOT / "plugins").iterdir())
    if (folder / "manifest.py").exists()
]


def _source_messages(folder: Path) -> set[str]:
    return {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(folder),
            METHODS,
            keywords={"_": None, "_l": None, "gettext": None, "lazy_gettext": None},
        )
    }


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
@pytest.mark.parametrize(("source", "translations"), CATALOGUES, ids=lambda p: p.parent.name)
def test_catalogue_is_complete(source: Path, translations: Path, locale: str) -> None:
    messages = _source_messages(source)
    assert messages, f"no texts found in {source}"
    with (translations / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id: m.string for m in catalogue if m.id}
    missing = sorted(messages - translated.keys())
    empty = sorted(msgid for msgid, text in translated.items() if not text)
    assert missing == [], f"untranslated in {locale}: {missing}"
    assert empty == [], f"empty in {locale}: {empty}"
    han = re.compile(r"[\u4e00-\u9fff]")
    if locale == "en":
        assert [m for m, text in translated.items() if han.search(text)] == []
    else:
        untranslated = [m for m, text in translated.items() if text == m and m.strip(" .%()sx")]
        assert len(untranslated) <= len(translated) // 10 + 1, untranslated


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_plugins_translate_a_shared_text_as_the_core_does(locale: str) -> None:
    """Catalogues are merged into one: a plugin's translation of a text the core also
    uses replaces the core's everywhere, so the two must agree."""

    def catalogue(folder: Path) -> dict[str, str]:
        with (folder / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            return {m.id: m.string for m in read_po(handle) if m.id}

    core = catalogue(CATALOGUES[0][1])
    clashes = [
        (translations.parent.name, msgid, core[msgid], text)
        for _source, translations in CATALOGUES[1:]
        for msgid, text in catalogue(translations).items()
        if msgid in core and core[msgid] != text
    ]
    assert clashes == []


def test_chinese_by_default_english_on_request(client: FlaskClient) -> None:
    assert client.get("/api/v1/t/alpha").get_json()["title"] == "需要登录认证"
    english = client.get("/api/v1/t/alpha", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.get_json()["title"] == "Authentication is required"
    assert client.get("/api/v1/t/alpha?lang=en").get_json()["title"] == "Authentication is required"
    chinese = client.get("/api/v1/t/alpha", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert chinese.get_json()["title"] == "需要登录认证"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("zh_CN", ["须在 1 到 30 之间。"]), ("en", ["Must be between 1 and 30."])],
)
def test_marshmallow_messages_are_localised(
    app: Flask, communities: Communities, locale: str, expected: list[str]
) -> None:
    """A range's message, formatted by marshmallow in English when the schema was
    declared, reaches the caller in the caller's language."""
    response = app.test_client().put(
        f"/api/v1/t/alpha/modules/mediation?lang={locale}",
        json={"enabled": True, "settings": {"accept_within_days": 99}},
        headers=auth("alpha_admin"),
    )
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["settings"]["accept_within_days"] == expected


def test_a_message_linli_wrote_passes_unchanged(app: Flask) -> None:
    with app.test_request_context("/?lang=zh_CN"):
        assert localised({"a": ["Missing data for required field.", "自定义"]}) == {
            "a": ["此项为必填项。", "自定义"]
        }
