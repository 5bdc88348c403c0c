"""One term for one thing: the glossary's variants to avoid, and the conventions around placeholders.

Reads the "Variants to avoid" table of ``docs/glossary.md`` and fails when a catalog entry, the
built-in survey or the framework skeleton uses a listed variant in that language; checks that no
Mongolian ending is glued to a placeholder, that Japanese and Chinese use the full-width colon, and
that no message formats a percentage by hand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ("ko", "zh_Hans", "ja", "ru", "mn")
RESOURCES = (
    "resources/surveys/neascn_readiness.json",
    "resources/surveys/neascn_readiness_2026_2.json",
    "resources/framework/skeleton.json",
    "resources/framework/demo.json",
)
_ROW = re.compile(r"^\|\s*(?P<term>[^|]+?)\s*\|\s*(?P<lang>[a-zA-Z_]+)\s*\|\s*`(?P<avoid>(?:[^`])+)`\s*\|")


@cache
def variants() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """(term, language, pattern) for every row of the glossary's checked table."""
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    table = text.split("## Variants to avoid (checked)", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in table.splitlines():
        match = _ROW.match(line)
        if match and match["lang"] in TARGETS:
            rows.append((match["term"], match["lang"],
                         re.compile(match["avoid"].replace(r"\|", "|"))))
    return tuple(rows)


def _resource_texts(node: object, where: str) -> Iterator[tuple[str, str, str]]:
    if isinstance(node, dict):
        if "en" in node and all(isinstance(v, str) for v in node.values()):
            for language in TARGETS:
                if node.get(language):
                    yield language, where, node[language]
            return
        for key, value in node.items():
            yield from _resource_texts(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _resource_texts(value, f"{where}[{index}]")


@cache
def catalog_texts() -> tuple[tuple[str, str, str], ...]:
    """(language, msgid, translation) of every translated catalog entry."""
    found = []
    for language in TARGETS:
        path = ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            if not message.id:
                continue
            msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
            found.extend((language, msgid, text) for text in strings if text)
    return tuple(found)


@cache
def all_texts() -> tuple[tuple[str, str, str], ...]:
    """(language, where, text) over the catalogs, the built-in survey and the skeleton."""
    texts = [(language, f"catalog: {msgid!r}", text) for language, msgid, text in catalog_texts()]
    for relative in RESOURCES:
        data = json.loads((ROOT / relative).read_text(encoding="utf-8"))
        texts.extend(_resource_texts(data, relative))
    return tuple(texts)


def test_the_glossary_lists_variants_for_every_target_language() -> None:
    assert {language for _term, language, _pattern in variants()} == set(TARGETS)


@pytest.mark.parametrize("language", TARGETS)
def test_no_text_uses_a_variant_the_glossary_rules_out(language: str) -> None:
    found = [
        f"{term}: {pattern.pattern!r} in {where}: …{text[max(0, m.start() - 20):m.end() + 20]}…"
        for term, lang, pattern in variants() if lang == language
        for lang2, where, text in all_texts() if lang2 == language
        for m in [pattern.search(text)] if m
    ]
    assert not found, "\n".join(found)


def test_the_check_finds_a_variant_when_one_is_there() -> None:
    """The table's patterns match the wrong variants they name (the check can fail)."""
    samples = {"ko": "신뢰하는 기기 해지", "zh_Hans": "特别工作组（Task Force）",
               "ru": "опрос о готовности", "mn": "нарийн бичгийн газарт", "ja": "ヘッド 2 個"}
    for language, sample in samples.items():
        assert any(pattern.search(sample) for _t, lang, pattern in variants() if lang == language)


_GLUED = re.compile(r"[})]-?[А-ЯЁӨҮа-яёөү]")


def test_no_mongolian_ending_is_glued_to_a_placeholder() -> None:
    glued = [f"{where}: {text!r}" for language, where, text in all_texts()
             if language == "mn" and _GLUED.search(text)]
    assert not glued, "\n".join(glued)
    assert _GLUED.search("{name}-аас") and _GLUED.search("(ASCN)-ээс")


@pytest.mark.parametrize("language", ["ja", "zh_Hans"])
def test_japanese_and_chinese_use_the_full_width_colon(language: str) -> None:
    half = [f"{where}: {text!r}" for lang, where, text in all_texts()
            if lang == language and re.search(r"[^\x00-\x7f]:(?: |$)|: [^\x00-\x7f]", text)]
    assert not half, "\n".join(half)


def test_no_message_formats_a_percentage_by_hand() -> None:
    by_hand = re.compile(r"\{[a-z_]+(?::[^{}]*)?\}\s?%")
    msgids = {msgid for _language, msgid, _text in catalog_texts() if by_hand.search(msgid)}
    assert not msgids, sorted(msgids)
