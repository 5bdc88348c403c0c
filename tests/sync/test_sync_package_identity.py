"""A package's identity is its id *and* its signer (issue 13, defect 4).

Package ids are readable in every manifest: a device that reuses another device's id
must never make the genuine package count as "already imported", be refused, or mark
its inbox entry applied.  Real devices through the real CLI; the reusing package is a
real package of the other device, re-signed by it with the borrowed id.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from neascn_desktop.store import open_database
from tests.sync.resigning import manifest_of, resign
from tests.sync.sync_support import Device


def _response(device: Device, city: str, name: str) -> None:
    submission = device.json("response", "new", "--city", city)["id"]
    device.run("response", "set", submission, f"resp_name={name}")


def _export(device: Device, path: Path) -> Path:
    device.run("package", "export", "--kind", "responses", "-o", path, "--no-encrypt", "--full")
    return path


@pytest.fixture
def world(make_device, tmp_path: Path) -> dict:
    """A secretariat; two field devices with one response each; B's package reuses A's id."""
    sec = make_device("secretariat", "secretariat")
    a, b = make_device("field_a", "field"), make_device("field_b", "field")
    _response(a, "seoul", "Kim")
    _response(b, "busan", "Park")
    genuine = _export(a, tmp_path / "a.neascn")
    package_id = manifest_of(genuine)["package_id"]
    borrowed = resign(_export(b, tmp_path / "b-own.neascn"), tmp_path / "b.neascn", b,
                      lambda m: m.update(package_id=package_id))
    return {"sec": sec, "a": a, "b": b, "genuine": genuine, "borrowed": borrowed, "id": package_id,
            "tmp": tmp_path}


@pytest.mark.parametrize("order", ["borrowed_first", "genuine_first", "one_run", "one_run_reversed"])
def test_two_senders_reusing_one_id_both_apply(world, order: str) -> None:
    sec, genuine, borrowed = world["sec"], world["genuine"], world["borrowed"]
    sec.run("trust", "add", world["a"].keyfile, world["b"].keyfile)
    files = [borrowed, genuine] if order in ("borrowed_first", "one_run_reversed") else [genuine, borrowed]
    if order.startswith("one_run"):
        report = sec.json("package", "import", *files)
        assert [p["status"] for p in report["packages"]] == ["applied", "applied"]
    else:
        for path in files:
            report = sec.json("package", "import", path)
            assert report["applied"] == 1, report["packages"][0]["message"]
    stats = sec.stats()
    assert stats["submissions"] == 2  # both packages' data, never one of them lost
    # Each is now "already imported", and only itself.
    digest = stats["digest"]
    report = sec.json("package", "import", genuine, borrowed)
    assert report["already_imported"] == 2
    assert sec.digest == digest


def test_the_same_signer_reusing_its_id_for_other_content_is_refused(world) -> None:
    sec, a = world["sec"], world["a"]
    sec.run("trust", "add", a.keyfile)
    sec.run("package", "import", world["genuine"])
    _response(a, "tokyo", "Sato")
    other = resign(_export(a, world["tmp"] / "a2-own.neascn"), world["tmp"] / "a2.neascn", a,
                   lambda m: m.update(package_id=world["id"]))
    digest = sec.digest
    out = sec.run("package", "import", other, expect=1)
    line = next(line for line in out.splitlines() if "a2.neascn" in line)
    assert "reuses the id of another package" in line
    assert sec.digest == digest


def test_a_trusted_sender_cannot_mark_anothers_inbox_entry_applied(world) -> None:
    """A is not trusted: its package waits.  B (trusted) sends a package with A's id: B's is
    applied, A's entry still waits, and trusting A later applies A's data."""
    sec, a, b = world["sec"], world["a"], world["b"]
    sec.run("trust", "add", b.keyfile)
    sec.run("package", "import", world["genuine"], expect=1)
    assert sec.json("package", "import", world["borrowed"])["applied"] == 1
    waiting = sec.json("inbox", "list")
    assert [w["sender"]["device_id"] for w in waiting] == [a.profile().device_id]
    assert sec.stats()["submissions"] == 1
    report = sec.json("inbox", "trust", world["id"])
    assert report["applied"] == 1
    assert sec.stats()["submissions"] == 2
    assert sec.json("inbox", "list") == []


def test_untrusted_senders_reusing_one_id_wait_apart(world) -> None:
    """Neither is trusted: two entries; rejecting one leaves the other; naming by id alone is
    refused with a sentence while two match."""
    sec, a, b = world["sec"], world["a"], world["b"]
    sec.run("package", "import", world["borrowed"], expect=1)
    sec.run("package", "import", world["genuine"], expect=1)
    waiting = sec.json("inbox", "list")
    assert len(waiting) == 2
    assert len({w["file"] for w in waiting}) == 2  # two stored copies, neither overwritten
    digest = sec.digest
    out = sec.cli("--data-dir", sec.data_dir, "inbox", "reject", world["id"])
    assert out[0] != 0 and "Several waiting packages match" in out[2]
    assert len(sec.json("inbox", "list")) == 2 and sec.digest == digest

    b_entry = next(w for w in waiting if w["sender"]["device_id"] == b.profile().device_id)
    assert b_entry["ref"] == f"{world['id']}@{b_entry['sender']['fingerprint']}"
    sec.run("inbox", "reject", b_entry["ref"])
    left = sec.json("inbox", "list")
    assert [w["sender"]["device_id"] for w in left] == [a.profile().device_id]
    assert Path(left[0]["file"]).is_file()
    # B's rejection does not make A's package "rejected earlier" when it comes again.
    out = sec.run("package", "import", world["genuine"], expect=1)
    assert "already waiting" in out
    report = sec.json("inbox", "trust", world["id"])
    assert report["applied"] == 1 and sec.stats()["submissions"] == 1


def test_a_rejected_package_does_not_block_another_senders_package_with_its_id(world) -> None:
    sec, a = world["sec"], world["a"]
    sec.run("package", "import", world["borrowed"], expect=1)
    sec.run("inbox", "reject", world["id"])
    report = sec.json("package", "import", world["genuine"], expect=1)
    assert report["waiting"] == 1, report["packages"][0]["message"]
    assert sec.json("inbox", "trust", world["id"])["applied"] == 1
    assert sec.json("trust", "list")[0]["device_id"] == a.profile().device_id
    assert sec.stats()["submissions"] == 1


def test_verify_judges_the_package_of_its_own_signer(world) -> None:
    sec = world["sec"]
    sec.run("trust", "add", world["a"].keyfile, world["b"].keyfile)
    sec.run("package", "import", world["genuine"])
    verdicts = sec.json("package", "verify", world["genuine"], world["borrowed"])
    assert [v["status"] for v in verdicts] == ["already_imported", "ready"]


@pytest.mark.sqlite_only
def test_the_migration_keeps_applied_packages_and_inbox_entries(tmp_path: Path) -> None:
    """0007 re-keys sync_package and sync_inbox by (package id, signer) and keeps their rows."""
    data = tmp_path / "data"
    db = open_database(data, target="0005_framework")
    db.dispose()
    path = data / "neascn.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO sync_package VALUES ('11111111-1111-4111-8111-111111111111', 'responses', "
                     "'dev-a', 'A', 'aaaa', '2026-11-25T10:00:00+00:00', 'm', 'f', '2026-11-25 10:00:00', '{}')")
        conn.execute("INSERT INTO sync_inbox VALUES ('22222222-2222-4222-8222-222222222222', 'inbox/x.neascn', "
                     "'x.neascn', 'responses', 'dev-b', 'B', 'Org', 'field', 'bbbb', "
                     "'2026-11-25T10:00:00+00:00', '2026-11-25 10:00:00', 'untrusted', 'waiting', NULL)")
    db = open_database(data)
    db.dispose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT package_id, sender_fingerprint FROM sync_package").fetchall() == [
            ("11111111-1111-4111-8111-111111111111", "aaaa")]
        assert conn.execute("SELECT package_id, sender_fingerprint, status FROM sync_inbox").fetchall() == [
            ("22222222-2222-4222-8222-222222222222", "bbbb", "waiting")]
        # The same id from another signer is another row now.
        conn.execute("INSERT INTO sync_package VALUES ('11111111-1111-4111-8111-111111111111', 'responses', "
                     "'dev-c', 'C', 'cccc', '2026-11-25T10:00:00+00:00', 'm2', 'f2', '2026-11-25 10:00:00', '{}')")


def test_an_export_does_not_withhold_revisions_whose_package_id_another_sender_reused(
        make_device, tmp_path: Path) -> None:
    """Carol, the secretariat (the hub that relays), holds Bob's revisions from a package that
    reused Alice's package id; her export to Alice must not take them for Alice's own (the
    provenance names the id only)."""
    from neascn_desktop.framework import service as framework

    alice, bob = (make_device(n, "taskforce") for n in ("alice", "bob"))
    carol = make_device("carol", "secretariat")
    carol.run("trust", "add", alice.keyfile, bob.keyfile, "--as", "taskforce")
    for device in (alice, bob):
        db = device.open()
        try:
            framework.create_document(db, device.profile(), "en")
        finally:
            db.dispose()
    genuine = tmp_path / "alice.neascn"
    alice.run("package", "export", "--kind", "framework", "-o", genuine, "--no-encrypt")
    bobs = tmp_path / "bob-own.neascn"
    bob_count = bob.json("package", "export", "--kind", "framework", "-o", bobs, "--no-encrypt")["revisions"]
    borrowed = resign(bobs, tmp_path / "bob.neascn", bob,
                      lambda m: m.update(package_id=manifest_of(genuine)["package_id"]))
    assert carol.json("package", "import", borrowed, genuine)["applied"] == 2
    result = carol.json("package", "export", "--kind", "framework", "-o", tmp_path / "to-alice.neascn",
                        "--encrypt-for", alice.keyfile)
    assert result["revisions"] == bob_count > 0
