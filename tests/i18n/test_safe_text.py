"""``safe_text``: whatever comes in, what goes out is one line a terminal or a label shows as it is."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from neascn_desktop.i18n.safe_text import NAME_LIMIT, is_safe, safe_text

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


@given(st.text(alphabet=st.characters(codec=None), max_size=600))
def test_anything_comes_out_safe_bounded_and_stable(text: str) -> None:
    shown = safe_text(text)
    assert not _UNSAFE.search(shown)
    assert len(shown) <= NAME_LIMIT
    assert safe_text(shown) == shown
    shown.encode("utf-8")  # printable on any UTF-8 terminal (no lone surrogate)


def test_escapes_are_removed_whole_and_names_in_every_script_kept() -> None:
    assert safe_text("\x1b[2K\r1 package applied") == "1 package applied"
    assert safe_text("\x1b]0;owned\x07Kim\x1b[31m!\x1b[0m") == "Kim!"
    assert safe_text("Kim\n\nLee\u2028Park") == "Kim Lee Park"
    assert safe_text("abc\u202egnp.exe") == "abc gnp.exe"
    for name in ("김민준", "王伟 (北京市)", "佐藤 花子", "Иванов", "Батбаяр", "نادر\u200cی", "👩\u200d💻"):
        assert safe_text(name) == name and is_safe(name)
    assert safe_text("N" * 10_000) == "N" * (NAME_LIMIT - 1) + "…"
    assert safe_text("x" * 5000, None) == "x" * 5000


def test_invisible_characters_cannot_make_two_names_look_alike() -> None:
    assert safe_text("Secre\u200btariat") == "Secretariat"
    assert safe_text("\ufeffKim\u2060 Lee\u200f") == "Kim Lee"
    assert not is_safe("Secre\u200btariat")
