"""Paragraph diffs and the three-way merge of section bodies."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from neascn_desktop.framework.ordering import key_between, keys_for
from neascn_desktop.framework.textmerge import (
    CONFLICT_END,
    CONFLICT_START,
    diff_paragraphs,
    diff_text,
    diff_words,
    has_conflict_markers,
    join_paragraphs,
    merge_text,
    split_paragraphs,
)

BASE = "Intro paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n\n"


def test_split_ignores_blank_line_variants() -> None:
    assert split_paragraphs("\nA\nstill A\n\n\n\nB  \n \nC") == ["A\nstill A", "B  ", "C"]


def test_changes_in_different_paragraphs_merge_cleanly() -> None:
    ours = BASE.replace("Intro paragraph.", "Intro, edited by Alice.")
    theirs = BASE.replace("Third paragraph.", "Third, edited by Bolor.")
    result = merge_text(BASE, ours, theirs, "Alice", "Bolor")
    assert result.clean
    assert result.text == "Intro, edited by Alice.\n\nSecond paragraph.\n\nThird, edited by Bolor.\n\n"
    assert not has_conflict_markers(result.text)


def test_same_paragraph_is_marked_with_both_versions() -> None:
    ours = BASE.replace("Second paragraph.", "Second, Alice's way.")
    theirs = BASE.replace("Second paragraph.", "Second, Bolor's way.")
    result = merge_text(BASE, ours, theirs, "Alice", "Bolor")
    assert result.conflicts == 1
    assert has_conflict_markers(result.text)
    paragraphs = split_paragraphs(result.text)
    assert paragraphs[0] == "Intro paragraph."
    assert paragraphs[1].startswith(CONFLICT_START) and "Alice" in paragraphs[1]
    assert paragraphs[2] == "Second, Alice's way."
    assert paragraphs[3].startswith(CONFLICT_START) and "Bolor" in paragraphs[3]
    assert paragraphs[4] == "Second, Bolor's way."
    assert paragraphs[5].startswith(CONFLICT_END)
    assert paragraphs[6] == "Third paragraph."


def test_different_items_of_one_list_merge_line_by_line() -> None:
    base = "- one\n- two\n- three\n- four\n\n"
    ours = "- one (Alice)\n- two\n- three\n- four\n\n"
    theirs = "- one\n- two\n- three\n- four (Bolor)\n\n"
    result = merge_text(base, ours, theirs, "A", "B")
    assert result.clean
    assert result.text == "- one (Alice)\n- two\n- three\n- four (Bolor)\n\n"


def test_identical_edits_and_deletions() -> None:
    both = BASE.replace("Second paragraph.", "Same edit.")
    assert merge_text(BASE, both, both, "A", "B").text == "Intro paragraph.\n\nSame edit.\n\nThird paragraph.\n\n"
    removed = "Intro paragraph.\n\nThird paragraph.\n\n"
    edited = BASE.replace("Second paragraph.", "Second, edited.")
    result = merge_text(BASE, removed, edited, "A", "B")
    assert result.conflicts == 1 and "Second, edited." in result.text


def test_diff_is_by_paragraph_and_readable() -> None:
    new = BASE.replace("Second paragraph.", "Second, rewritten.") + "Fourth.\n\n"
    kinds = [chunk.kind for chunk in diff_paragraphs(BASE, new)]
    assert kinds == ["equal", "replace", "equal", "insert"]
    text = diff_text(BASE, new)
    assert "- Second paragraph." in text and "+ Second, rewritten." in text
    assert "+ Fourth." in text and "  Intro paragraph." in text


def test_word_diff_splits_cjk_characters() -> None:
    runs = diff_words("都市の交通", "都市の大気")
    assert ("equal", "都市の") in runs
    assert ("delete", "交通") in runs and ("insert", "大気") in runs


def test_position_keys_sort_between_neighbours() -> None:
    keys = keys_for(13)
    assert keys == sorted(keys) and len(set(keys)) == 13
    middle = key_between(keys[0], keys[1])
    assert keys[0] < middle < keys[1]
    assert key_between(None, "1") < "1"
    assert key_between("z", None) > "z"
    assert key_between("b", "b") > "b"  # a tie from two devices still yields a later key


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(min_value=2, max_value=8),
    data=st.data(),
)
def test_edits_of_different_paragraphs_always_merge_cleanly(count, data) -> None:
    base = [f"Paragraph {n} of the draft." for n in range(count)]
    i = data.draw(st.integers(min_value=0, max_value=count - 1))
    j = data.draw(st.integers(min_value=0, max_value=count - 1).filter(lambda k: k != i))
    ours, theirs, expected = list(base), list(base), list(base)
    ours[i] = expected[i] = f"Alice rewrote paragraph {i}."
    theirs[j] = expected[j] = f"Bolor rewrote paragraph {j}."
    forward = merge_text(join_paragraphs(base), join_paragraphs(ours), join_paragraphs(theirs), "A", "B")
    backward = merge_text(join_paragraphs(base), join_paragraphs(theirs), join_paragraphs(ours), "B", "A")
    assert forward.clean and backward.clean
    assert forward.text == backward.text == join_paragraphs(expected)
