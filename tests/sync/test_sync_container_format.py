"""The reader and ``docs/package-format.md`` agree exactly: what the ZIP library would tolerate
but the format does not allow (data outside the archive, a local header saying something else
than the central directory, a manifest value of the wrong JSON type) is refused in one sentence,
the database unchanged — through both ways of reading a package (the ``world`` fixture)."""

from __future__ import annotations

import io
import json
import struct
import uuid
import zipfile
from typing import Any

import pytest

from neascn_desktop.identity.profile import ROLES
from neascn_desktop.sync.container import SENDER_ROLES
from tests.sync import test_sync_fuzz as fuzz
from tests.sync.test_sync_fuzz import _assert_refused, _import, _members, _resign, _zip

world = fuzz.world  # the signed packages and the secretariat of the fuzz tests, both read paths


def _manifest(world: dict[str, Any], base: str = "plain") -> tuple[list[Any], dict[str, Any]]:
    """A package's members and its manifest, under a new package id (so that nothing but the
    change a test makes can refuse it)."""
    members = _members(world[base])
    manifest = json.loads(next(c for i, c in members if i.filename == "manifest.json"))
    manifest["package_id"] = str(uuid.uuid4())
    return members, manifest


def _resigned_raw(world: dict[str, Any], raw: bytes, base: str = "plain") -> bytes:
    """A package whose manifest is exactly ``raw``, signed by the trusted sender's real key."""
    members = _members(world[base])
    rest = [(i.filename, c) for i, c in members if i.filename not in ("manifest.json", "manifest.sig")]
    return _zip([*rest, ("manifest.json", raw), ("manifest.sig", world["signing"].sign(raw))])


def _accepted(outcome: Any) -> None:
    assert outcome.status in ("applied", "already_imported"), outcome.message


# --- the manifest's JSON types ---------------------------------------------------------------

@pytest.mark.parametrize("literal", ["1.0", "1e0", "1.00", "true"])
def test_format_version_must_be_the_integer_1(world, literal: str) -> None:
    """``1.0 == 1`` and ``True == 1`` in Python; the spec says the integer 1."""
    _members_, manifest = _manifest(world)
    raw = json.dumps(manifest, indent=1).replace('"format_version": 1', f'"format_version": {literal}', 1)
    assert literal in raw
    outcome, before, after = _import(world, _resigned_raw(world, raw.encode()))
    _assert_refused(outcome, before, after)
    assert "format version" in outcome.message


def test_the_integer_1_is_accepted(world) -> None:
    members, manifest = _manifest(world)
    _accepted(_import(world, _resign(members, manifest, world["signing"]))[0])


def _set(document: dict[str, Any], where: str, value: Any) -> None:
    if where.startswith("sender."):
        document["sender"][where.removeprefix("sender.")] = value
    elif where.startswith("counts."):
        document["counts"][where.removeprefix("counts.")] = value
    elif where.startswith("members.size"):
        document["members"][0]["size"] = value
    else:
        document[where] = value


@pytest.mark.parametrize(("where", "value"), [
    ("counts.revisions", True),          # a boolean is not an integer
    ("counts.revisions", 1.0),
    ("counts.revisions", -1),
    ("counts.revisions", "1"),
    ("members.size", True),
    ("members.size", 1.0),
    ("sender.role", "administrator"),    # not one of the three roles
    ("sender.role", True),
    ("created_at", "2026-11-25T10:12:03"),  # no offset
    ("created_at", 1764065523),
    ("app_version", False),
    ("recipient", "secretariat"),
    ("encryption", True),
    ("counts", []),
    ("members", {}),
])
def test_manifest_values_of_the_wrong_type_are_refused(world, where: str, value: Any) -> None:
    members, manifest = _manifest(world)
    _set(manifest, where, value)
    outcome, before, after = _import(world, _resign(members, manifest, world["signing"]))
    _assert_refused(outcome, before, after)
    assert "malformed" in outcome.message


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_manifest_json_has_no_nan_or_infinity(world, constant: str) -> None:
    """Python's ``json`` reads them; RFC 8259 (and so §2) does not have them."""
    _members_, manifest = _manifest(world)
    raw = json.dumps(manifest).replace('"counts": {', f'"counts": {{"extra": {constant}, ', 1)
    outcome, before, after = _import(world, _resigned_raw(world, raw.encode()))
    _assert_refused(outcome, before, after)
    assert "not valid JSON" in outcome.message


def test_sender_roles_are_the_profile_roles() -> None:
    assert set(SENDER_ROLES) == set(ROLES)


# --- the ZIP container ----------------------------------------------------------------------------

def _local_header_offset(data: bytes, name_prefix: str) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return next(i.header_offset for i in zf.infolist() if i.filename.startswith(name_prefix))


@pytest.mark.parametrize("base", ["plain", "encrypted"])
@pytest.mark.parametrize("member", ["manifest.json", "manifest.sig", "payload/", "attachments/"])
@pytest.mark.parametrize("bit", [0x01, 0x40])
def test_encryption_flag_in_the_local_header_only(world, base: str, member: str, bit: int) -> None:
    """``zipfile`` reads the central directory's flags only; a reader that trusts the local
    header (a streaming unzip) would see an encrypted member.  Flag bits 0 and 6 are refused
    wherever they are."""
    data = bytearray(world[base])
    offset = _local_header_offset(bytes(data), member)
    flags = struct.unpack_from("<H", data, offset + 6)[0]
    struct.pack_into("<H", data, offset + 6, flags | bit)
    outcome, before, after = _import(world, bytes(data))
    _assert_refused(outcome, before, after)
    assert "ZIP encryption" in outcome.message


@pytest.mark.parametrize("member", ["manifest.json", "payload/"])
def test_compression_method_in_the_local_header_only(world, member: str) -> None:
    data = bytearray(world["plain"])
    offset = _local_header_offset(bytes(data), member)
    assert struct.unpack_from("<H", data, offset + 8)[0] == zipfile.ZIP_DEFLATED
    struct.pack_into("<H", data, offset + 8, zipfile.ZIP_STORED)
    outcome, before, after = _import(world, bytes(data))
    _assert_refused(outcome, before, after)


def _with_comment(data: bytes) -> bytes:
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as zf:
        zf.comment = b"a comment"
    return buffer.getvalue()


@pytest.mark.parametrize("layout", ["two packages", "the other two packages", "a package twice", "data before",
                                    "data after", "a comment"])
def test_data_outside_the_archive_is_refused(world, layout: str) -> None:
    """``zipfile`` reads the last archive of a file and ignores bytes before (it shifts the
    offsets) and after it; a package is one archive that fills its file."""
    plain, encrypted = world["plain"], world["encrypted"]
    data = {
        "two packages": plain + encrypted,
        "the other two packages": encrypted + plain,
        "a package twice": plain + plain,
        "data before": b"MZ" + b"\0" * 510 + plain,
        "data after": plain + b"\0" * 100,
        "a comment": _with_comment(plain),
    }[layout]
    outcome, before, after = _import(world, data)
    _assert_refused(outcome, before, after)
    assert "outside its ZIP archive" in outcome.message


def _zip64(data: bytes, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The same members in a ZIP64 archive (end record and locator): ``zipfile`` writes them
    for archives over 2 GiB; a lower threshold makes it write them for a small one."""
    members = [(i.filename, c) for i, c in _members(data)]
    with monkeypatch.context() as patch:
        patch.setattr(zipfile, "ZIP64_LIMIT", 16)
        rezipped = _zip(members)
    assert rezipped[-22 - 20:-22][:4] == b"PK\x06\x07"  # the ZIP64 locator is there
    return rezipped


def test_zip64_archives_are_read(world, monkeypatch: pytest.MonkeyPatch) -> None:
    _accepted(_import(world, _zip64(world["encrypted"], monkeypatch))[0])


@pytest.mark.parametrize("layout", ["data before", "data after", "locator off"])
def test_data_outside_a_zip64_archive_is_refused(world, monkeypatch: pytest.MonkeyPatch, layout: str) -> None:
    data = _zip64(world["encrypted"], monkeypatch)
    if layout == "data before":
        data = b"\0" * 64 + data
    elif layout == "data after":
        data = data + b"\0" * 64
    else:  # the locator points elsewhere than at the ZIP64 end record
        patched = bytearray(data)
        where = len(data) - 22 - 20 + 8
        struct.pack_into("<Q", patched, where, struct.unpack_from("<Q", patched, where)[0] + 1)
        data = bytes(patched)
    outcome, before, after = _import(world, data)
    _assert_refused(outcome, before, after)
    assert "outside its ZIP archive" in outcome.message


def test_the_command_line_refuses_two_packages_in_one_file(make_device, tmp_path) -> None:
    """Through ``neascn package import``: two real packages of a trusted device written into one
    file are refused with one sentence and a non-zero exit; each alone is then applied."""
    sec = make_device("secretariat", "secretariat")
    field = make_device("field", "field")
    sec.run("trust", "add", field.keyfile)
    first, second = tmp_path / "first.neascn", tmp_path / "second.neascn"
    field.json("response", "new", "--city", "seoul")
    field.run("package", "export", "--kind", "responses", "-o", first, "--encrypt-for", sec.keyfile)
    field.json("response", "new", "--city", "busan")
    field.run("package", "export", "--kind", "responses", "-o", second, "--encrypt-for", sec.keyfile, "--full")
    both = tmp_path / "both.neascn"
    both.write_bytes(first.read_bytes() + second.read_bytes())
    before = sec.digest
    out = sec.run("package", "import", both, expect=1)
    assert "both.neascn is damaged; ask the sender for a new copy (it contains data outside its ZIP archive).\n" in out
    assert sec.digest == before
    report = sec.json("package", "import", first, second)
    assert report["applied"] == 2 and report["refused"] == 0
    assert sec.stats()["submissions"] == 2
