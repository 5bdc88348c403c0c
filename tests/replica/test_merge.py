"""Field-level three-way merge of dict payloads."""

from __future__ import annotations

from neascn_desktop.replica import three_way_merge


def test_fields_changed_on_one_side_are_taken() -> None:
    base = {"name": "Seoul", "pop": 1, "region": "Capital", "note": "x"}
    ours = {"name": "Seoul", "pop": 2, "region": "Capital", "note": "x"}
    theirs = {"name": "서울", "pop": 1, "region": "Capital", "note": "x", "added": True}
    result = three_way_merge(base, ours, theirs)
    assert result.clean
    assert result.merged == {"name": "서울", "pop": 2, "region": "Capital", "note": "x", "added": True}


def test_fields_changed_on_both_sides_differently_are_reported() -> None:
    base = {"name": "Seoul", "pop": 1}
    ours = {"name": "Seoul-si", "pop": 3}
    theirs = {"name": "서울", "pop": 3}
    result = three_way_merge(base, ours, theirs)
    assert result.conflicting_fields == {"name": ("Seoul", "Seoul-si", "서울")}
    assert result.merged == {"name": "Seoul-si", "pop": 3}  # ours kept, the same change taken once


def test_deletions_merge_like_changes() -> None:
    base = {"a": 1, "b": 2, "c": 3}
    ours = {"a": 1, "c": 3}  # deleted b
    theirs = {"a": 1, "b": 2}  # deleted c
    assert three_way_merge(base, ours, theirs).merged == {"a": 1}
    edit_vs_delete = three_way_merge({"a": 1}, {"a": 2}, {})
    assert edit_vs_delete.conflicting_fields == {"a": (1, 2, None)}
    assert edit_vs_delete.merged == {"a": 2}
    both_added = three_way_merge({}, {"n": 1}, {"n": 2})
    assert both_added.conflicting_fields == {"n": (None, 1, 2)}


def test_values_compare_as_json() -> None:
    # 1 == True in Python, but they are different answers
    result = three_way_merge({"v": 1}, {"v": 1}, {"v": True})
    assert result.merged == {"v": True}
    nested = three_way_merge({"o": {"a": 1, "b": 2}}, {"o": {"b": 2, "a": 1}}, {"o": {"a": 1, "b": 3}})
    assert nested.clean and nested.merged == {"o": {"a": 1, "b": 3}}
    lists = three_way_merge({"l": [1, 2]}, {"l": [2, 1]}, {"l": [1, 2, 3]})
    assert lists.conflicting_fields == {"l": ([1, 2], [2, 1], [1, 2, 3])}


def test_merging_is_symmetric_apart_from_which_side_a_conflict_keeps() -> None:
    base = {"a": 1, "b": 1, "c": 1}
    ours = {"a": 2, "b": 1, "c": 5}
    theirs = {"a": 1, "b": 3, "c": 6}
    one = three_way_merge(base, ours, theirs)
    two = three_way_merge(base, theirs, ours)
    assert {k: v for k, v in one.merged.items() if k != "c"} == {
        k: v for k, v in two.merged.items() if k != "c"
    }
    assert set(one.conflicting_fields) == set(two.conflicting_fields) == {"c"}


def test_inputs_are_not_modified() -> None:
    base, ours, theirs = {"a": 1}, {"a": 2}, {"a": 1, "b": 1}
    three_way_merge(base, ours, theirs)
    assert (base, ours, theirs) == ({"a": 1}, {"a": 2}, {"a": 1, "b": 1})


def test_nested_fields_merge_key_by_key() -> None:
    base = {"status": "draft", "answers": {"q1": 1, "q2": 2}, "attachments": {}}
    ours = {"status": "draft", "answers": {"q1": 10, "q2": 2}, "attachments": {"e": {"sha256": "a"}}}
    theirs = {"status": "final", "answers": {"q1": 1, "q2": 20, "q3": 3}, "attachments": {}}
    flat = three_way_merge(base, ours, theirs)
    assert "answers" in flat.conflicting_fields  # as whole values, both sides changed them
    result = three_way_merge(base, ours, theirs, nested=("answers", "attachments"))
    assert result.clean
    assert result.merged == {"status": "final", "answers": {"q1": 10, "q2": 20, "q3": 3},
                             "attachments": {"e": {"sha256": "a"}}}
    both = three_way_merge(base, ours, {**theirs, "answers": {"q1": 99, "q2": 2}}, nested=("answers",))
    assert both.conflicting_fields == {"answers.q1": (1, 10, 99)}
    assert both.merged["answers"]["q1"] == 10  # ours kept, as for top-level fields


def test_a_nested_field_that_is_not_an_object_everywhere_merges_as_a_whole() -> None:
    result = three_way_merge({"answers": None}, {"answers": {"q": 1}}, {"answers": None}, nested=("answers",))
    assert result.merged == {"answers": {"q": 1}} and result.clean
    removed = three_way_merge({"answers": {"q": 1}}, {}, {"answers": {"q": 1}}, nested=("answers",))
    assert removed.merged == {"answers": {}}
