"""Three-way merge of answer trees: repeat instances merge by their ids (docs/answers.md, "Merge").

Property tests: two devices start from one answer tree and each adds, removes, edits and moves
instances (nested repeats included); the merge keeps every instance either side added, never
drops an instance one side edited, removes what one side removed and the other left alone, and
reports exactly the fields both sides changed differently.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from neascn_desktop.replica import three_way_merge

NESTED = ("answers", "attachments")
FIELDS = ("name", "sector", "budget")


def iid(n: int) -> str:
    return str(uuid.UUID(int=n, version=4))


def merge(base: dict, ours: dict, theirs: dict):  # type: ignore[no-untyped-def]
    return three_way_merge({"answers": base}, {"answers": ours}, {"answers": theirs}, nested=NESTED)


def ids(answers: dict, key: str = "projects") -> list[str]:
    return [i["@id"] for i in answers.get(key, [])]


# --------------------------------------------------------------------------- examples


def test_instances_added_on_two_devices_are_both_kept() -> None:
    base = {"city": "UB", "projects": [{"@id": iid(1), "name": "BRT"}]}
    ours = copy.deepcopy(base)
    ours["projects"].append({"@id": iid(2), "name": "Heating"})
    theirs = copy.deepcopy(base)
    theirs["projects"].append({"@id": iid(3), "name": "Waste"})
    result = merge(base, ours, theirs)
    assert result.clean
    assert ids(result.merged["answers"]) == [iid(1), iid(2), iid(3)]


def test_edits_to_different_fields_of_one_instance_merge() -> None:
    base = {"projects": [{"@id": iid(1), "name": "BRT"}]}
    ours = {"projects": [{"@id": iid(1), "name": "BRT line 1"}]}
    theirs = {"projects": [{"@id": iid(1), "name": "BRT", "sector": "transport"}]}
    result = merge(base, ours, theirs)
    assert result.clean
    assert result.merged["answers"]["projects"] == [
        {"@id": iid(1), "name": "BRT line 1", "sector": "transport"}]


def test_same_field_edited_twice_is_a_named_conflict() -> None:
    base = {"projects": [{"@id": iid(1), "sector": "energy"}]}
    ours = {"projects": [{"@id": iid(1), "sector": "transport"}]}
    theirs = {"projects": [{"@id": iid(1), "sector": "water"}]}
    result = merge(base, ours, theirs)
    assert result.conflicting_fields == {
        f"answers.projects[@id={iid(1)}].sector": ("energy", "transport", "water")}
    assert result.merged["answers"]["projects"][0]["sector"] == "transport"


def test_removed_on_one_side_and_edited_on_the_other_is_a_conflict_not_a_loss() -> None:
    base = {"projects": [{"@id": iid(1), "name": "BRT"}, {"@id": iid(2), "name": "Heating"}]}
    ours = {"projects": [{"@id": iid(2), "name": "Heating"}]}  # removed 1
    theirs = {"projects": [{"@id": iid(1), "name": "BRT phase 2"}, {"@id": iid(2), "name": "Heating"}]}
    result = merge(base, ours, theirs)
    name = f"answers.projects[@id={iid(1)}]"
    assert result.conflicting_fields == {
        name: ({"@id": iid(1), "name": "BRT"}, None, {"@id": iid(1), "name": "BRT phase 2"})}
    assert ids(result.merged["answers"]) == [iid(1), iid(2)]
    # Removed on one side, untouched on the other: removed.
    untouched = merge(base, ours, copy.deepcopy(base))
    assert untouched.clean and ids(untouched.merged["answers"]) == [iid(2)]


def test_nested_repeats_merge_by_id_at_every_depth() -> None:
    base = {"projects": [{"@id": iid(1), "partners": [{"@id": iid(10), "partner_name": "ADB"}]}]}
    ours = copy.deepcopy(base)
    ours["projects"][0]["partners"].append({"@id": iid(11), "partner_name": "EDCF"})
    theirs = copy.deepcopy(base)
    theirs["projects"][0]["partners"][0]["share"] = 60
    result = merge(base, ours, theirs)
    assert result.clean
    assert result.merged["answers"]["projects"][0]["partners"] == [
        {"@id": iid(10), "partner_name": "ADB", "share": 60},
        {"@id": iid(11), "partner_name": "EDCF"}]


def test_a_move_on_one_side_keeps_its_order() -> None:
    base = {"projects": [{"@id": iid(n)} for n in (1, 2, 3)]}
    ours = {"projects": [{"@id": iid(n)} for n in (3, 1, 2)]}
    theirs = {"projects": [{"@id": iid(n)} for n in (1, 2, 3, 4)]}
    assert ids(merge(base, ours, theirs).merged["answers"]) == [iid(3), iid(1), iid(2), iid(4)]
    assert ids(merge(base, theirs, ours).merged["answers"]) == [iid(3), iid(1), iid(2), iid(4)]


def test_lists_that_are_not_instances_merge_as_values() -> None:
    result = merge({"langs": ["en"]}, {"langs": ["en", "ko"]}, {"langs": ["en", "mn"]})
    assert result.conflicting_fields == {"answers.langs": (["en"], ["en", "ko"], ["en", "mn"])}
    # Duplicate ids are not a list of instances: merged as a whole.
    twice = [{"@id": iid(1)}, {"@id": iid(1)}]
    assert merge({}, {"p": twice}, {}).merged["answers"] == {"p": twice}


# --------------------------------------------------------------------------- properties

values = st.one_of(st.none(), st.sampled_from(["a", "b", "c"]), st.integers(0, 3))


@st.composite
def instance(draw: Any, counter: list[int], depth: int = 0) -> dict[str, Any]:
    counter[0] += 1
    item: dict[str, Any] = {"@id": iid(counter[0])}
    for name in FIELDS:
        value = draw(values)
        if value is not None:
            item[name] = value
    if depth == 0 and draw(st.booleans()):
        item["partners"] = [draw(instance(counter, 1)) for _ in range(draw(st.integers(0, 2)))]
    return item


@st.composite
def edited(draw: Any, items: list[dict[str, Any]], counter: list[int], depth: int = 0) -> list[dict[str, Any]]:
    """One device's edits: remove some, edit fields of others, add new ones, maybe reorder."""
    result = []
    for item in items:
        action = draw(st.sampled_from(["keep", "keep", "edit", "remove"]))
        if action == "remove":
            continue
        item = copy.deepcopy(item)
        if action == "edit":
            name = draw(st.sampled_from(FIELDS))
            value = draw(values)
            if value is None:
                item.pop(name, None)
            else:
                item[name] = value
            if depth == 0 and "partners" in item:
                item["partners"] = draw(edited(item["partners"], counter, 1))
        result.append(item)
    for _ in range(draw(st.integers(0, 2))):
        result.append(draw(instance(counter, depth)))
    if draw(st.booleans()):
        result = draw(st.permutations(result))
    return result


@st.composite
def three_trees(draw: Any) -> tuple[dict, dict, dict]:
    counter = [0]
    base = {"city": "UB", "projects": [draw(instance(counter)) for _ in range(draw(st.integers(0, 4)))]}
    ours = {"city": draw(st.sampled_from(["UB", "Ulaanbaatar"])),
            "projects": draw(edited(base["projects"], counter))}
    theirs = {"city": "UB", "projects": draw(edited(base["projects"], counter))}
    return base, ours, theirs


def unordered(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: unordered(v) for k, v in value.items()}
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return {item["@id"]: unordered(item) for item in value}
    return value


def by_id(answers: dict) -> dict[str, dict]:
    return {i["@id"]: i for i in answers.get("projects", [])}


@settings(max_examples=200, deadline=None)
@given(three_trees())
def test_no_instance_is_lost_and_removals_are_respected(trees: tuple[dict, dict, dict]) -> None:
    base, ours, theirs = trees
    result = merge(base, ours, theirs)
    merged = by_id(result.merged["answers"])
    b, o, t = by_id(base), by_id(ours), by_id(theirs)
    assert len(merged) == len(result.merged["answers"]["projects"])  # no duplicate ids
    for key in (set(o) | set(t)) - set(b):
        assert key in merged, "an instance added on one device was lost"
    for key in set(b):
        changed = [side[key] for side in (o, t) if key in side and side[key] != b[key]]
        removed = [side for side in (o, t) if key not in side]
        if changed:
            assert key in merged, "an edited instance was dropped"
        if removed and not changed:
            assert key not in merged, "a removal was undone"
        if removed and changed:
            assert f"answers.projects[@id={key}]" in result.conflicting_fields
    assert set(merged) <= set(o) | set(t)


@settings(max_examples=200, deadline=None)
@given(three_trees())
def test_merge_is_symmetric_in_content_and_trivial_when_one_side_is_unchanged(
        trees: tuple[dict, dict, dict]) -> None:
    base, ours, theirs = trees
    forward = merge(base, ours, theirs)
    backward = merge(base, theirs, ours)
    assert set(forward.conflicting_fields) == set(backward.conflicting_fields)
    if forward.clean:  # the same content; only the order of concurrent additions differs
        assert unordered(forward.merged["answers"]) == unordered(backward.merged["answers"])
    assert merge(base, base, theirs).merged["answers"] == theirs
    assert merge(base, ours, base).merged["answers"] == ours
    assert merge(base, ours, ours).merged["answers"] == ours


@settings(max_examples=200, deadline=None)
@given(three_trees())
def test_conflicts_are_only_where_both_sides_changed_one_field(trees: tuple[dict, dict, dict]) -> None:
    base, ours, theirs = trees
    result = merge(base, ours, theirs)
    b, o, t = by_id(base), by_id(ours), by_id(theirs)
    for name in result.conflicting_fields:
        assert name.startswith("answers.projects[@id=")
        key = name.split("[@id=", 1)[1].split("]", 1)[0]
        assert key in b and (key in o or key in t)
        assert (key not in o or o[key] != b[key]) and (key not in t or t[key] != b[key])


# --------------------------------------------------------------------------- in the revision log


def test_two_devices_in_conflict_get_a_proposal_keeping_both_instances(db) -> None:  # type: ignore[no-untyped-def]
    """The heads of two field devices that each added a project: the proposal of the conflict
    view keeps both and flags nothing; a removal against an edit is flagged on the repeat's row."""
    from neascn_desktop import replica
    from neascn_desktop.sync import conflicts

    def payload(answers: dict) -> dict:
        return {"form_id": "f", "form_version": "1", "city_id": "seoul", "status": "in_progress",
                "answers": answers, "attachments": {}, "updated_at": "2026-01-01T00:00:00+00:00"}

    sid = str(uuid.uuid4())
    base = {"projects": [{"@id": iid(1), "name": "BRT"}]}
    root = replica.make_revision("submission", sid, [], "dev-a", "1800000000000-000000", payload(base))
    a = replica.make_revision("submission", sid, [root.id], "dev-a", "1800000000001-000000", payload(
        {"projects": [*base["projects"], {"@id": iid(2), "name": "Heating"}]}))
    b = replica.make_revision("submission", sid, [root.id], "dev-b", "1800000000002-000000", payload(
        {"projects": [*base["projects"], {"@id": iid(3), "name": "Waste"}]}))
    replica.add_revisions(db, [root, a, b])
    proposal = replica.propose_merge(db, sid, nested=NESTED)
    assert proposal.clean
    assert sorted(ids(proposal.merged["answers"])) == [iid(1), iid(2), iid(3)]
    comparison = conflicts.compare(db, sid)
    assert comparison.clean
    assert sorted(ids(comparison.proposal["answers"])) == [iid(1), iid(2), iid(3)]

    other = str(uuid.uuid4())
    root2 = replica.make_revision("submission", other, [], "dev-a", "1800000000000-000000", payload(base))
    removed = replica.make_revision("submission", other, [root2.id], "dev-a", "1800000000001-000000",
                                    payload({}))
    edited = replica.make_revision("submission", other, [root2.id], "dev-b", "1800000000002-000000",
                                   payload({"projects": [{"@id": iid(1), "name": "BRT phase 2"}]}))
    replica.add_revisions(db, [root2, removed, edited])
    comparison = conflicts.compare(db, other)
    row = next(r for r in comparison.rows if r.name == "answers.projects")
    assert row.conflicting and not comparison.clean
    assert comparison.proposal["answers"]["projects"] == [{"@id": iid(1), "name": "BRT phase 2"}]
