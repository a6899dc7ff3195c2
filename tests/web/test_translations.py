"""Both UI catalogues are complete: every message in the code and templates has a translation, none fuzzy."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "say": None}


def messages_in_code() -> set[str]:
    """The web's messages and the engine's sentences for people (``say(…)``), which the web shows translated."""
    found = [
        *extract_from_dir(str(WEB), METHODS, keywords=KEYWORDS),
        *extract_from_dir(str(ROOT / "engine"), [("**.py", "python")], keywords={"say": None}),
    ]
    return {message if isinstance(message, str) else message[0] for _file, _line, message, *_ in found}


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_catalogue_is_complete(locale):
    with open(WEB / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id: m for m in catalogue if m.id}
    missing = sorted(messages_in_code() - set(translated))
    assert not missing, f"{locale}: messages without an entry: {missing}"
    empty = sorted(i for i, m in translated.items() if not m.string or m.fuzzy)
    assert not empty, f"{locale}: untranslated or fuzzy: {empty}"


def test_chinese_catalogue_is_chinese():
    with open(WEB / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    latin_only = [
        m.id for m in catalogue if m.id and m.string and not any("\u4e00" <= ch <= "\u9fff" for ch in m.string)
    ]
    assert not latin_only, f"zh_Hans_CN entries with no Chinese: {latin_only}"


def test_english_catalogue_is_english():
    with open(WEB / "translations" / "en" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    chinese = [
        m.id
        for m in catalogue
        if m.id and isinstance(m.string, str) and _has_chinese(m.string) and not _has_chinese(m.id)
    ]
    assert not chinese, f"en entries in Chinese: {chinese}"


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
