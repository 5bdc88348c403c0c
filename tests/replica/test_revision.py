"""Revisions: canonical encoding, content-derived ids, reading and verifying records."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest

from neascn_desktop.replica import ReplicaError, Revision, canonical_json, compute_id, make_revision

CLOCK = "1780000000000-000003"
PARENT_A = "a" * 64
PARENT_B = "b" * 64


def test_same_payload_with_keys_in_another_order_has_the_same_id() -> None:
    one = make_revision("city", "c1", [], "dev", CLOCK, {"name": "Seoul", "pop": 9, "x": {"b": 1, "a": 2}})
    two = make_revision("city", "c1", [], "dev", CLOCK, {"x": {"a": 2, "b": 1}, "pop": 9, "name": "Seoul"})
    assert one.id == two.id
    assert one == two


def test_parent_order_does_not_matter_and_parents_are_sorted() -> None:
    one = make_revision("city", "c1", [PARENT_B, PARENT_A], "dev", CLOCK, {})
    two = make_revision("city", "c1", [PARENT_A, PARENT_B], "dev", CLOCK, {})
    assert one.id == two.id
    assert one.parents == (PARENT_A, PARENT_B)


def test_id_is_sha256_of_the_canonical_json_of_everything_else() -> None:
    payload = {"name": "서울", "note": "北京 · Улаанбаатар", "n": 1.5, "none": None, "list": [3, 1]}
    rev = make_revision("city", "c1", [PARENT_B, PARENT_A], "dev", CLOCK, payload)
    body = {
        "entity_type": "city",
        "entity_id": "c1",
        "parents": [PARENT_A, PARENT_B],
        "device_id": "dev",
        "clock": CLOCK,
        "payload": payload,
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert rev.id == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert rev.id == compute_id("city", "c1", [PARENT_B, PARENT_A], "dev", CLOCK, payload)
    assert "서울" in canonical_json(payload)  # UTF-8, not \\u escapes


def test_any_change_of_content_changes_the_id() -> None:
    base = make_revision("city", "c1", [], "dev", CLOCK, {"v": 1})
    variants = [
        make_revision("town", "c1", [], "dev", CLOCK, {"v": 1}),
        make_revision("city", "c2", [], "dev", CLOCK, {"v": 1}),
        make_revision("city", "c1", [PARENT_A], "dev", CLOCK, {"v": 1}),
        make_revision("city", "c1", [], "dev2", CLOCK, {"v": 1}),
        make_revision("city", "c1", [], "dev", "1780000000000-000004", {"v": 1}),
        make_revision("city", "c1", [], "dev", CLOCK, {"v": 2}),
        make_revision("city", "c1", [], "dev", CLOCK, {"v": True}),
        make_revision("city", "c1", [], "dev", CLOCK, {"v": 1.0}),
    ]
    assert len({base.id, *(v.id for v in variants)}) == len(variants) + 1


def test_to_dict_from_dict_round_trip_through_json_lines() -> None:
    rev = make_revision("city", "c1", [PARENT_A], "dev", CLOCK, {"name": "Ulaanbaatar", "tags": ["a"]})
    line = json.dumps(rev.to_dict(), ensure_ascii=False)
    back = Revision.from_dict(json.loads(line))
    assert back == rev
    assert back.payload_json == rev.payload_json


def test_from_dict_rejects_a_tampered_record() -> None:
    data = make_revision("city", "c1", [], "dev", CLOCK, {"pop": 1}).to_dict()
    data["payload"] = {"pop": 2}
    with pytest.raises(ReplicaError, match="does not match its content"):
        Revision.from_dict(data)
    assert Revision.from_dict(data, verify=False).payload == {"pop": 2}


@pytest.mark.parametrize(
    "change",
    [
        {"id": "not-a-hash"},
        {"clock": "yesterday"},
        {"clock": "1780000000000-3"},
        {"payload": [1, 2]},
        {"parents": "abc"},
        {"parents": ["nope"]},
        {"parents": [PARENT_A, PARENT_A]},
        {"entity_id": ""},
        {"device_id": 5},
        {"entity_type": "x" * 101},
    ],
)
def test_from_dict_rejects_malformed_records(change: dict) -> None:
    data = make_revision("city", "c1", [], "dev", CLOCK, {}).to_dict()
    data.update(change)
    with pytest.raises(ReplicaError):
        Revision.from_dict(data, verify=False)


def test_from_dict_rejects_missing_fields_and_non_objects() -> None:
    data = make_revision("city", "c1", [], "dev", CLOCK, {}).to_dict()
    del data["clock"]
    with pytest.raises(ReplicaError, match="clock"):
        Revision.from_dict(data)
    with pytest.raises(ReplicaError):
        Revision.from_dict(["not", "an", "object"])  # type: ignore[arg-type]


def test_make_revision_rejects_non_json_payloads() -> None:
    with pytest.raises(ReplicaError):
        make_revision("city", "c1", [], "dev", CLOCK, {"x": float("nan")})
    with pytest.raises(ReplicaError):
        make_revision("city", "c1", [], "dev", CLOCK, {"x": object()})
    with pytest.raises(ReplicaError):
        make_revision("city", "c1", ["short"], "dev", CLOCK, {})


def test_revisions_hash_by_id_and_provenance_is_not_content() -> None:
    rev = make_revision("city", "c1", [], "dev", CLOCK, {})
    same = dataclasses.replace(rev, provenance="pkg")
    assert rev == same and hash(rev) == hash(same)
    assert "provenance" not in rev.to_dict()
    assert len({rev, same}) == 1
