"""Every user-visible string is in the catalogs and translated in all five target languages.

Fails when a catalog misses a message extracted from the source (Python ``_()``/``ngettext``/``N_``
and translatable strings of ``.ui`` forms), when an entry is untranslated or fuzzy, when a
translation drops or adds a placeholder, or when it is left in English.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
TARGETS = ["ko", "zh_Hans", "ja", "ru", "mn"]

#: Messages that are the same in every language (names, codes, symbols).
SAME_EVERYWHERE = {
    "NEASCN", "NEASCN Desktop", "WeGO", "XLSForm", "CSV", "XLSX", "Word", "PDF", "JSON", "ID",
    "English", "한국어", "简体中文", "日本語", "Русский", "Монгол", "OK", "%", "URL", "SHA-256",
}
_PLACEHOLDER = re.compile(r"\{[a-zA-Z_][a-zA-Z0-9_]*(?:![rsa])?(?::[^{}]*)?\}|%\([a-z_]+\)[sdr]|%[sdr]")


@cache
def extracted() -> dict[str, tuple[str, ...]]:
    """msgid -> plural msgid (if any), straight from the source tree."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    messages: dict[str, tuple[str, ...]] = {}
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={"_": None, "N_": None, "ngettext": (1, 2),
                                                      "translate_in": (2,), "ngettext_in": (2, 3),
                                                      "pgettext": ((1, "c"), 2), "tr": None}
    ):
        key = message if isinstance(message, str) else message[0]
        if key:
            messages[key] = tuple(message) if isinstance(message, tuple | list) else (message,)
    return messages


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


@pytest.fixture(scope="module", params=TARGETS)
def catalog(request):  # type: ignore[no-untyped-def]
    path = TRANSLATIONS / request.param / "LC_MESSAGES" / "messages.po"
    assert path.is_file(), f"missing catalog {path}"
    with path.open("rb") as handle:
        return request.param, read_po(handle, locale=request.param)


def test_no_translation_call_hides_inside_an_f_string() -> None:
    """Extraction cannot see ``f"{_('x')}"``: such a message would never reach the catalogs."""
    pattern = re.compile(r"""\bf(["']).*\{\s*(?:_|N_|ngettext|pgettext|translate_in)\(""")
    hidden = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "neascn_desktop").rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not hidden, hidden


def test_the_source_has_hundreds_of_messages() -> None:
    assert len(extracted()) >= 300


def test_every_source_message_is_in_the_catalog(catalog) -> None:  # type: ignore[no-untyped-def]
    language, po = catalog
    missing = [msgid for msgid in extracted() if msgid not in po]
    assert not missing, f"{language}: {len(missing)} messages missing, e.g. {missing[:5]}"


def test_no_entry_is_untranslated_fuzzy_or_broken(catalog) -> None:  # type: ignore[no-untyped-def]
    language, po = catalog
    problems: list[str] = []
    for message in po:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = placeholders(ids[0])
        for text in strings:
            if placeholders(text) != wanted and not (len(ids) > 1 and placeholders(text) <= wanted):
                problems.append(f"placeholders differ: {ids[0]!r} -> {text!r}")
        words = _PLACEHOLDER.sub("", ids[0])
        if strings[0] == ids[0] and ids[0] not in SAME_EVERYWHERE and re.search(r"[A-Za-z]{3}", words):
            problems.append(f"left in English: {ids[0]!r}")
        for error in message.check(po):
            problems.append(f"babel check: {ids[0]!r}: {error}")
    assert not problems, f"{language}: {len(problems)} problems:\n" + "\n".join(problems[:30])


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
def test_msgfmt_check_is_clean(tmp_path: Path) -> None:
    for language in TARGETS:
        po = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
        result = subprocess.run(["msgfmt", "-c", "-o", str(tmp_path / f"{language}.mo"), str(po)],
                                capture_output=True, text=True)
        assert result.returncode == 0, f"{language}: {result.stderr}"
