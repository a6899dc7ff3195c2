"""Both UI catalogues are complete: every message in the code and templates has a translation, none fuzzy."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

WEB = Path(__file__).resolve().parents[2] / "web"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]


def messages_in_code() -> set[str]:
    found = extract_from_dir(str(WEB), METHODS, keywords={"_": None, "gettext": None, "ngettext": (1, 2)})
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
    latin_only = [m.id for m in catalogue if m.id and m.string and not any("\u4e00" <= ch <= "\u9fff" for ch in m.string)]
    assert not latin_only, f"zh_Hans_CN entries with no Chinese: {latin_only}"
