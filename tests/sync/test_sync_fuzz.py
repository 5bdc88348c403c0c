"""The package reader under attack: every damaged or forged package is refused with one clear
sentence, the database digest does not change, and nothing is written outside the data directory."""

from __future__ import annotations

import hashlib
import io
import json
import re
import stat
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neascn_desktop import replica
from neascn_desktop.identity.keys import load_device_keys
from neascn_desktop.identity.trust import read_keycard, trust_keycard
from neascn_desktop.sync.container import Limits
from neascn_desktop.sync.errors import PackageError
from neascn_desktop.sync.exporter import Recipient, export_package
from neascn_desktop.sync.importer import import_packages
from tests.sync.sync_support import commit_submission, keycard, new_profile

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module", params=["in-memory", "on-disk"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every attack runs against both ways of reading a package: held in memory (files of
    ordinary size) and from the disk (larger ones; ``in_memory_bytes=0`` sends every file there)."""
    root = tmp_path_factory.mktemp("fuzz")
    sec_db, sec = new_profile(root / "sec", "secretariat", "Secretariat")
    field_db, field = new_profile(root / "field", "field", "Field")
    trust_keycard(sec_db, read_keycard(keycard(field_db, field, root)))
    evidence = b"evidence file " * 50
    sha = hashlib.sha256(evidence).hexdigest()
    (field_db.attachments_dir() / sha).write_bytes(evidence)
    commit_submission(field_db, field, {"resp_name": "Kim", "city_population": 9386000},
                      {"ev_org_chart": {"sha256": sha, "filename": "chart.txt", "size": len(evidence),
                                        "media_type": "text/plain"}})
    recipient = Recipient(sec.device_id, sec.display_name, sec.encryption_public_key)
    encrypted = root / "encrypted.neascn"
    export_package(field_db, "responses", encrypted, recipient=recipient)
    plain = root / "plain.neascn"
    export_package(field_db, "responses", plain, auto_recipient=False, full=True)
    signing = load_device_keys(field_db.data_dir).signing
    field_db.dispose()
    cases = root / "cases"
    cases.mkdir()
    world = _World({"root": root, "db": sec_db, "encrypted": encrypted.read_bytes(), "plain": plain.read_bytes(),
             "signing": signing, "cases": cases, "before": replica.digest(sec_db),
             "limits": Limits() if request.param == "in-memory" else Limits(in_memory_bytes=0)})
    yield world
    sec_db.dispose()


class _World(dict):
    """The shared fixture; a short repr keeps hypothesis' failure reports readable."""

    def __repr__(self) -> str:
        return "<world>"


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def _zip(members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are one of the attacks
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for info, content in members:
                zf.writestr(info, content)
    return buffer.getvalue()


def _resign(members: list[tuple[Any, bytes]], manifest: dict[str, Any], key: Ed25519PrivateKey) -> bytes:
    raw = json.dumps(manifest).encode()
    out = [(i, c) for i, c in members if _name(i) not in ("manifest.json", "manifest.sig")]
    return _zip([*out, ("manifest.json", raw), ("manifest.sig", key.sign(raw))])


def _name(info: Any) -> str:
    return info if isinstance(info, str) else info.filename


def _files_outside(root: Path, data_dir: Path, cases: Path) -> set[Path]:
    return {p for p in root.rglob("*") if data_dir not in p.parents and cases not in p.parents and p != cases}


def _check_data_dir(data_dir: Path) -> None:
    for path in data_dir.rglob("*"):
        rel = path.relative_to(data_dir)
        assert rel.parts[0] in {"neascn.sqlite3", "neascn.sqlite3-wal", "neascn.sqlite3-shm", "keys",
                                "attachments", "inbox"}, rel
        if rel.parts[0] == "attachments" and path.is_file():
            assert re.fullmatch(r"[0-9a-f]{64}", path.name), rel
        if rel.parts[0] == "inbox" and path.is_file():
            assert path.suffix == ".neascn" and not path.name.startswith("."), rel


def _import(world: dict[str, Any], data: bytes, name: str = "case.neascn") -> tuple[Any, str, str]:
    db = world["db"]
    path = world["cases"] / name
    path.write_bytes(data)
    outside = _files_outside(world["root"], db.data_dir, world["cases"])
    before = replica.digest(db)
    outcome = import_packages(db, [path], limits=world["limits"]).outcomes[0]
    after = replica.digest(db)
    assert _files_outside(world["root"], db.data_dir, world["cases"]) == outside
    _check_data_dir(db.data_dir)
    path.unlink()
    return outcome, before, after


def _assert_refused(outcome: Any, before: str, after: str) -> None:
    assert outcome.status == "refused", outcome.message
    assert outcome.message and "\n" not in outcome.message
    assert after == before


def _assert_refused_or_intact(outcome: Any, before: str, after: str) -> None:
    """A change that leaves every signed byte intact (a ZIP header date, a re-zip) may be accepted;
    anything else must be refused with the database untouched."""
    if outcome.status == "refused":
        _assert_refused(outcome, before, after)
    else:
        assert outcome.status in ("applied", "already_imported")


@SETTINGS
@given(base=st.sampled_from(["encrypted", "plain"]), cut=st.floats(0, 0.999))
def test_truncated(world, base: str, cut: float) -> None:
    data = world[base]
    _assert_refused(*_import(world, data[: int(len(data) * cut)]))


@SETTINGS
@given(base=st.sampled_from(["encrypted", "plain"]), flips=st.lists(st.floats(0, 0.9999), min_size=1, max_size=6))
def test_bit_flipped(world, base: str, flips: list[float]) -> None:
    data = bytearray(world[base])
    for where in flips:
        position = int(len(data) * where)
        data[position] ^= 1 << (position % 8)
    _assert_refused_or_intact(*_import(world, bytes(data)))


EVIL_NAMES = ["../evil", "/etc/passwd", "C:/windows/evil", "attachments/../../x", "a\\b", "payload/./x",
              "attachments/" + "0" * 64, "payload/revisions.jsonl", "extra.txt", "MANIFEST.JSON", "dir/"]


@SETTINGS
@given(base=st.sampled_from(["encrypted", "plain"]),
       change=st.sampled_from(["add", "drop", "duplicate", "symlink", "rename", "same"]),
       evil=st.sampled_from(EVIL_NAMES), which=st.integers(0, 10))
def test_rezipped(world, base: str, change: str, evil: str, which: int) -> None:
    members = _members(world[base])
    index = which % len(members)
    items: list[tuple[Any, bytes]] = [(i.filename, c) for i, c in members]
    if change == "add":
        items.append((evil, b"payload"))
    elif change == "drop":
        items.pop(index)
    elif change == "duplicate":
        items.append(items[index])
    elif change == "symlink":
        info = zipfile.ZipInfo(items[index][0])
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        items[index] = (info, b"/etc/passwd")
    elif change == "rename":
        items[index] = (evil, items[index][1])
    data = _zip(items)
    outcome, before, after = _import(world, data)
    if change == "same":
        assert outcome.status in ("applied", "already_imported")  # same signed content, new container
    else:
        _assert_refused(outcome, before, after)


def test_oversized_and_bomb(world) -> None:
    members = [(i.filename, c) for i, c in _members(world["plain"])]
    bomb = _zip([*members, ("attachments/" + "1" * 64, b"\0" * (8 * 1024 * 1024))])
    outcome, before, after = _import(world, bomb)
    _assert_refused(outcome, before, after)
    assert "compressed suspiciously well" in outcome.message or "larger" in outcome.message
    from neascn_desktop.sync.container import open_package

    path = world["cases"] / "small.neascn"
    path.write_bytes(world["plain"])
    for limits in (Limits(max_members=2), Limits(max_member_bytes=100), Limits(max_total_bytes=100),
                   Limits(max_file_bytes=100)):
        with pytest.raises(PackageError) as caught:
            open_package(path, limits)
        assert "limit" in str(caught.value) or "larger" in str(caught.value)
    path.unlink()


@SETTINGS
@given(version=st.one_of(st.integers().filter(lambda v: v != 1), st.just("1"), st.just(None),
                         st.just(2), st.just(1.0), st.floats(allow_nan=False, allow_infinity=False)))
def test_wrong_version_is_named(world, version: Any) -> None:
    members = _members(world["encrypted"])
    manifest = json.loads(next(c for i, c in members if i.filename == "manifest.json"))
    manifest["format_version"] = version
    outcome, before, after = _import(world, _resign(members, manifest, world["signing"]))
    _assert_refused(outcome, before, after)
    assert "format version" in outcome.message and str(version) in outcome.message


@SETTINGS
@given(field=st.sampled_from(["package_id", "kind", "created_at", "counts", "sender", "members", "extra"]),
       forger=st.booleans())
def test_wrong_signature(world, field: str, forger: bool) -> None:
    members = _members(world["encrypted"])
    raw = next(c for i, c in members if i.filename == "manifest.json")
    manifest = json.loads(raw)
    if field == "sender":
        manifest["sender"]["display_name"] = "Someone Else"
    elif field == "members":
        manifest["members"][0]["size"] += 1
    elif field == "counts":
        manifest["counts"]["revisions"] = 99
    else:
        manifest[field] = "00000000-0000-4000-8000-000000000000" if field == "package_id" else (
            "all" if field == "kind" else "2030-01-01T00:00:00+00:00")
    new_raw = json.dumps(manifest).encode()
    if forger:  # signed by another key that claims to be the sender
        signature = Ed25519PrivateKey.generate().sign(new_raw)
    else:  # the old signature over new bytes
        signature = next(c for i, c in members if i.filename == "manifest.sig")
    rest = [(i.filename, c) for i, c in members if i.filename not in ("manifest.json", "manifest.sig")]
    outcome, before, after = _import(world, _zip([*rest, ("manifest.json", new_raw), ("manifest.sig", signature)]))
    _assert_refused(outcome, before, after)
    assert "signature" in outcome.message


@SETTINGS
@given(junk=st.sampled_from([b"not json\n", b"{}\n", b'{"id": "x"}\n', b"[1,2]\n", b"\xff\xfe\n"]),
       keep=st.booleans())
def test_signed_but_malformed_payload(world, junk: bytes, keep: bool) -> None:
    """A trusted device's key signing nonsense: refused, nothing applied (even the valid lines)."""
    members = _members(world["plain"])
    manifest = json.loads(next(c for i, c in members if i.filename == "manifest.json"))
    payload = next(c for i, c in members if i.filename == "payload/revisions.jsonl")
    payload = (payload if keep else b"") + junk
    for member in manifest["members"]:
        if member["name"] == "payload/revisions.jsonl":
            member["size"] = len(payload)
            member["sha256"] = hashlib.sha256(payload).hexdigest()
    manifest["package_id"] = "11111111-1111-4111-8111-111111111111"
    items = [(i.filename, payload if i.filename == "payload/revisions.jsonl" else c) for i, c in members]
    outcome, before, after = _import(world, _resign(items, manifest, world["signing"]))
    _assert_refused(outcome, before, after)
    assert "revision" in outcome.message


def test_attachment_ciphertext_swapped_is_refused(world) -> None:
    members = _members(world["encrypted"])
    items = []
    for info, content in members:
        if info.filename.startswith("attachments/"):
            content = content[:-1] + bytes([content[-1] ^ 1])
        items.append((info.filename, content))
    outcome, before, after = _import(world, _zip(items))
    _assert_refused(outcome, before, after)
