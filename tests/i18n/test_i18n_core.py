"""The Python side of languages: catalogs read from .po files, plurals, Babel formatting."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from neascn_desktop import i18n, paths
from neascn_desktop.i18n import formatting


@pytest.fixture
def tiny_catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ko = tmp_path / "ko" / "LC_MESSAGES"
    ko.mkdir(parents=True)
    (ko / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        'msgid "Surveys"\nmsgstr "설문"\n\n'
        '#, fuzzy\nmsgid "Inbox"\nmsgstr "받은편지함?"\n\n'
        'msgid "{count} package"\nmsgid_plural "{count} packages"\nmsgstr[0] "패키지 {count}개"\n',
        encoding="utf-8",
    )
    ru = tmp_path / "ru" / "LC_MESSAGES"
    ru.mkdir(parents=True)
    (ru / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && '
        '(n%100<10 || n%100>=20) ? 1 : 2);\\n"\n\n'
        'msgid "{count} package"\nmsgid_plural "{count} packages"\n'
        'msgstr[0] "{count} пакет"\nmsgstr[1] "{count} пакета"\nmsgstr[2] "{count} пакетов"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(paths, "translations_dir", lambda: tmp_path)
    monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path)
    i18n.reload_catalogs()
    yield tmp_path
    i18n.reload_catalogs()


def test_catalogs_translate_and_skip_fuzzy(tiny_catalogs: Path) -> None:
    i18n.set_language("ko")
    assert i18n._("Surveys") == "설문"
    assert i18n._("Inbox") == "Inbox"  # fuzzy entries are never used
    assert i18n._("Not in the catalog") == "Not in the catalog"
    assert i18n.ngettext("{count} package", "{count} packages", 3).format(count=3) == "패키지 3개"


def test_russian_plural_forms(tiny_catalogs: Path) -> None:
    i18n.set_language("ru")
    forms = [i18n.ngettext("{count} package", "{count} packages", n).format(count=n) for n in (1, 3, 5, 21)]
    assert forms == ["1 пакет", "3 пакета", "5 пакетов", "21 пакет"]


def test_listeners_hear_language_switches() -> None:
    heard: list[str] = []
    i18n.add_language_listener(heard.append)
    try:
        i18n.set_language("ja_JP")
        i18n.set_language("zh-CN")
    finally:
        i18n.remove_language_listener(heard.append)
    assert heard == ["ja", "zh_Hans"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [("ko_KR", "ko"), ("zh", "zh_Hans"), ("zh_TW", "zh_Hans"), ("mn-MN", "mn"), ("de", "en"), (None, "en")],
)
def test_normalize_language(code: str | None, expected: str) -> None:
    assert i18n.normalize_language(code) == expected


def test_babel_formatting_follows_the_language() -> None:
    assert formatting.format_number(1234567.5, "ru", digits=1) == "1\xa0234\xa0567,5"
    assert formatting.format_number(1234567, "ko") == "1,234,567"
    assert formatting.format_percent(0.425, "en", digits=1) == "42.5%"
    assert "2026" in formatting.format_date(date(2026, 11, 25), "ja")
    assert formatting.format_date(date(2026, 11, 25), "ko", format="long") == "2026년 11월 25일"
