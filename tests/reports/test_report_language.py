"""Translated reports hold no English and no internal ids; dates, numbers and order per language.

Every report kind in every translated language is built from a real database
(built-in survey, demo responses, the framework skeleton in that language)
and the text of its XML is scanned.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel import dates
from babel.messages.pofile import read_po
from lxml import etree

from neascn_desktop.framework import service as framework
from neascn_desktop.i18n import translate_in
from neascn_desktop.identity.profile import create_profile
from neascn_desktop.paths import translations_dir
from neascn_desktop.reports import service, synthetic
from neascn_desktop.reports.collation import collation_key
from neascn_desktop.reports.readiness import build_readiness_report
from neascn_desktop.reports.status_report import build_status_report
from neascn_desktop.store import open_database
from neascn_desktop.surveys import demo
from neascn_desktop.surveys.service import get_definition

TRANSLATED = ("ko", "zh_Hans", "ja", "ru", "mn")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
#: Internal ids: snake_case names, bracketed variable names, ISO country codes.
INTERNAL = re.compile(r"\b[a-z]+_[a-z0-9_]+\b|\[[a-z0-9_]+\]|\b(?:KR|KP|CN|JP|MN|RU)\b")


def xml_text(path: Path) -> str:
    """The text of the body, headers, footers and every picture's alt text."""
    parts = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
                root = etree.fromstring(archive.read(name))
                parts += ["".join(t.text or "" for t in p.iter(_W + "t"))
                          for p in root.iter(_W + "p")]
                parts += [d.get("descr") or "" for d in root.iter(_WP + "docPr")]
    return "\n".join(parts)


def english_messages() -> list[str]:
    """Literal English stretches (of three words or more) of every catalog message."""
    with open(translations_dir() / "messages.pot", "rb") as handle:
        catalog = read_po(handle)
    chunks = []
    for message in catalog:
        for msgid in (message.id if isinstance(message.id, tuple) else (message.id,)):
            for chunk in re.split(r"\{[^}]*\}", msgid or ""):
                chunk = chunk.strip(" .,:;()")
                if len(chunk.split()) >= 3:
                    chunks.append(chunk)
    return chunks


@pytest.mark.parametrize("language", TRANSLATED)
def test_translated_reports_hold_no_english_and_no_internal_ids(tmp_path: Path,
                                                                language: str) -> None:
    db = open_database(tmp_path / "data")
    try:
        profile = create_profile(db, name="Secretariat", role="secretariat", language=language)
        demo.load_demo_report(db, profile, cities=5, seed=2)
        if not framework.has_document(db):
            framework.create_document(db, profile, language)
        definition = get_definition(db)
        # References keep their published titles (said so in the report): the survey's list
        # and each question's instrument in the scoring annex, longest first.
        sources = sorted({*definition.sources, *(q.source for _s, q in definition.walk()
                                                  if q.source)}, key=len, reverse=True)
        english = english_messages()
        for kind in service.KINDS:
            path = tmp_path / f"{kind}-{language}.docx"
            service.build_report(db, kind, path, language=language)
            text = xml_text(path)
            # Every picture has alt text: its title and the numbers it shows.
            with zipfile.ZipFile(path) as archive:
                root = etree.fromstring(archive.read("word/document.xml"))
            pictures = list(root.iter(_WP + "docPr"))
            assert all(re.search(r"\w.*\d", p.get("descr") or "") for p in pictures), kind
            for source in sources:  # references keep their published titles (said so in the report)
                text = text.replace(source, "")
            ids = sorted({m.group(0) for m in INTERNAL.finditer(text)})
            assert not ids, f"{kind}/{language}: internal ids {ids}"
            assert "this device" not in text
            leaked = [chunk for chunk in english if chunk in text]
            assert not leaked, f"{kind}/{language}: English text {leaked[:5]}"
    finally:
        db.dispose()


def test_a_simulated_device_is_not_this_device(tmp_path: Path) -> None:
    from dataclasses import replace

    data = replace(synthetic.status_data("en"), local_device_id="")
    path = tmp_path / "s.docx"
    build_status_report(data, path)
    assert "this device" not in xml_text(path)


@pytest.mark.parametrize("language,locale", [("en", "en_GB"), ("ko", "ko_KR"), ("ja", "ja_JP"),
                                             ("zh_Hans", "zh_Hans_CN"), ("ru", "ru_RU"),
                                             ("mn", "mn_MN")])
def test_dates_and_numbers_follow_babel(tmp_path: Path, language: str, locale: str) -> None:
    data = synthetic.readiness_data(cities=4, language=language)
    path = tmp_path / "r.docx"
    build_readiness_report(data, path)
    text = xml_text(path)
    generated = datetime(2026, 11, 25, tzinfo=UTC)
    assert dates.format_date(generated, "long", locale=locale) in text
    if language == "en":
        assert "25 November 2026" in text and "November 25" not in text
    percents = re.findall(r"\d+(?:[.,]\d+)?\s?%", text)
    assert percents
    if language == "ru":  # Russian sets a no-break space before the percent sign
        assert all("\u00a0%" in p for p in percents), percents


def test_captions_are_upright_in_cjk(tmp_path: Path) -> None:
    import docx

    for language, italic in (("ja", False), ("zh_Hans", False), ("ko", False), ("en", True)):
        path = tmp_path / f"{language}.docx"
        build_readiness_report(synthetic.readiness_data(cities=1, language=language), path)
        assert bool(docx.Document(str(path)).styles["Caption"].font.italic) is italic


def test_city_lists_follow_the_language_order() -> None:
    zh = sorted(["上海", "北京", "天津", "哈尔滨"], key=collation_key("zh_Hans"))
    assert zh == ["北京", "哈尔滨", "上海", "天津"]  # Beijing, Ha'erbin, Shanghai, Tianjin
    ja = sorted(["ソウル", "ウランバートル", "とやま"], key=collation_key("ja"))
    assert ja == ["ウランバートル", "ソウル", "とやま"]  # u, so, to: katakana with hiragana
    mn = sorted(["Үнэгт", "Улаанбаатар", "Өлгий", "Орхон", "Дархан"], key=collation_key("mn"))
    assert mn == ["Дархан", "Орхон", "Өлгий", "Улаанбаатар", "Үнэгт"]
    ru = sorted(["Ёлкино", "Ейск", "Жуковский"], key=collation_key("ru"))
    assert ru == ["Ейск", "Ёлкино", "Жуковский"]
    en = sorted(["Zürich", "Ulsan", "Åsa"], key=collation_key("en"))
    assert en == ["Åsa", "Ulsan", "Zürich"]


def test_the_waiting_list_is_sorted_in_the_report_language(tmp_path: Path) -> None:
    from dataclasses import replace

    from neascn_desktop.reports.data import CityReadiness

    base = synthetic.readiness_data(cities=1, language="zh_Hans")
    waiting = tuple(CityReadiness(city_id=f"w{i}", name=name, country="CN")
                    for i, name in enumerate(["天津", "上海", "北京"]))
    path = tmp_path / "r.docx"
    build_readiness_report(replace(base, cities=base.cities + waiting), path)
    text = xml_text(path)
    assert "中国\n北京、上海、天津" in text  # the country's name, not "CN"; then its cities in pinyin order


@pytest.mark.parametrize("language", TRANSLATED)
def test_conflicts_name_what_they_are_about(tmp_path: Path, language: str) -> None:
    from dataclasses import replace

    from neascn_desktop.reports.data import ConflictItem

    data = synthetic.status_data(language)
    data = replace(data, conflicts=data.conflicts + (ConflictItem("framework_section", "s9", ""),))
    path = tmp_path / "s.docx"
    build_status_report(data, path)
    text = xml_text(path)
    assert not INTERNAL.findall(text), INTERNAL.findall(text)


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX file modes")
@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_reports_are_written_with_the_users_normal_permissions(tmp_path: Path, umask: int,
                                                               mode: int) -> None:
    previous = os.umask(umask)
    try:
        path = tmp_path / "r.docx"
        build_status_report(synthetic.status_data("en", cities=2, submissions=2), path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == mode


@pytest.mark.parametrize("language", ["ja", "zh_Hans"])
def test_japanese_and_chinese_reports_use_full_width_brackets(tmp_path: Path, language: str) -> None:
    # "首尔 (71)" and "ネットワーク (NEASCN)": ASCII brackets after CJK text read as a typo there.
    path = tmp_path / "r.docx"
    build_readiness_report(synthetic.readiness_data(cities=4, language=language), path)
    lines = xml_text(path).splitlines()
    leaders_prefix = translate_in(language, "Most ready cities: {cities}.").split("{")[0]
    (leaders,) = [line for line in lines if line.startswith(leaders_prefix)]
    network = translate_in(language, "Northeast Asia Smart Cities Network (NEASCN)")
    for line in (leaders, network):
        assert re.search(r"（[^）]+）", line) and not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]\s?\(", line), line
    assert network in lines  # the running header


#: Official names that keep their spaces: Creative Commons' Japanese licence name.
_SPACED_NAMES = ("クリエイティブ・コモンズ 表示 4.0 国際",)


@pytest.mark.parametrize("language", ["ja", "zh_Hans"])
def test_no_space_between_two_cjk_characters(tmp_path: Path, language: str) -> None:
    # "2026年12月5日 の作業草案", "領域は ガバナンス": a date or name put in a message next to CJK text.
    from neascn_desktop.reports.framework_report import build_framework_report

    reports = (("readiness", build_readiness_report, synthetic.readiness_data(cities=4, language=language)),
               ("framework", build_framework_report, synthetic.framework_data(language)),
               ("status", build_status_report, synthetic.status_data(language)))
    cjk = r"[\u3040-\u30ff\u4e00-\u9fff\u3001\u3002\uff01-\uff60]"
    for kind, build, data in reports:
        path = tmp_path / f"{kind}.docx"
        build(data, path)
        text = xml_text(path)
        for name in _SPACED_NAMES:
            text = text.replace(name, "")
        stray = [text[max(0, m.start() - 6):m.end() + 6] for m in re.finditer(cjk + " " + cjk, text)]
        assert not stray, f"{kind}: {stray[:5]}"
