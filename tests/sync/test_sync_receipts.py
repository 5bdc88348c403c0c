"""Sent is not received: deployments acknowledge what the secretariat holds, field devices re-send
the rest (issue 13, defect 9).  Real profiles and packages, through the CLI."""

from __future__ import annotations

import json
import secrets
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest

from neascn_desktop import replica
from neascn_desktop.identity.keys import load_device_keys
from neascn_desktop.sync import receipts
from neascn_desktop.sync.acknowledgement import MAX_REVISIONS
from neascn_desktop.sync.container import fingerprint
from tests.sync.sync_support import Device, new_profile


def _manifest(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("manifest.json"))


def _export(device: Device, path: Path, *extra: str, kind: str = "responses") -> dict[str, Any]:
    return device.json("package", "export", "--kind", kind, "-o", path, *extra)


def _delivery(device: Device, submission_id: str) -> str:
    found = {r["id"]: r for r in device.json("response", "list")}
    return found[submission_id]["delivery"]


def _forge(source: Path, target: Path, signer: Device, *, acknowledgements: Any = None,
           claim_role: str = "secretariat", kind: str | None = None) -> Path:
    """``source`` with a new id, an acknowledgement of our choosing, signed by ``signer``
    (claiming ``claim_role``): a real, correctly signed package."""
    with zipfile.ZipFile(source) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    manifest = json.loads(members["manifest.json"])
    profile = signer.profile()
    manifest["package_id"] = str(uuid.uuid4())
    manifest["kind"] = kind or manifest["kind"]
    manifest["sender"] = {
        "device_id": profile.device_id, "display_name": profile.display_name,
        "organisation": profile.organisation, "role": claim_role,
        "signing_public_key": profile.signing_public_key,
        "encryption_public_key": profile.encryption_public_key,
        "fingerprint": fingerprint(profile.signing_public_key)}
    if acknowledgements is None:
        manifest.pop("acknowledgements", None)
    else:
        manifest["acknowledgements"] = acknowledgements
    raw = json.dumps(manifest, indent=2, sort_keys=True).encode()
    members["manifest.json"] = raw
    members["manifest.sig"] = load_device_keys(signer.data_dir).signing.sign(raw)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return target


@pytest.fixture
def deployed(make_device, tmp_path: Path) -> tuple[Device, Device, str]:
    """A secretariat, a field device that imported its deployment, and one finalized response."""
    sec = make_device("secretariat", "secretariat")
    field = make_device("field", "field")
    deployment = tmp_path / "deployment.neascn"
    sec.run("package", "export", "--kind", "deployment", "-o", deployment)
    field.run("package", "import", deployment)
    submission_id = field.json("response", "new", "--city", "seoul")["id"]
    field.run("response", "set", submission_id, "resp_name=Kim", "has_strategy=yes")
    field.run("response", "set", submission_id, "city_population=9386000")
    sec.run("trust", "add", field.keyfile)
    return sec, field, submission_id


def test_a_lost_package_is_sent_again_until_the_secretariat_acknowledges_it(
        deployed: tuple[Device, Device, str], tmp_path: Path) -> None:
    sec, field, submission_id = deployed
    assert _delivery(field, submission_id) == "not_sent"

    lost = _export(field, tmp_path / "lost.neascn")
    assert lost["by_type"]["submission"] >= 2 and lost["resent"] == 0
    assert _delivery(field, submission_id) == "sent"
    listed = {r["id"]: r for r in field.json("response", "list")}[submission_id]
    assert listed["sent"] is True and listed["received"] is False
    assert "sent" in field.run("response", "list")

    # The file never arrives.  The next export, without --full, carries the response again.
    again = tmp_path / "again.neascn"
    second = _export(field, again)
    assert second["by_type"]["submission"] == lost["by_type"]["submission"]
    assert second["resent"] == lost["by_type"]["submission"]
    out = field.run("package", "export", "--kind", "responses", "-o", tmp_path / "third.neascn")
    assert "sent before but not yet received" in out

    assert sec.json("package", "import", again)["applied"] == 1
    held = sec.json("response", "show", submission_id)
    assert held["answers"]["resp_name"] == "Kim"

    # The secretariat's next deployment acknowledges what it holds from the field device.
    deployment = tmp_path / "deployment2.neascn"
    sec.run("package", "export", "--kind", "deployment", "-o", deployment)
    acknowledged = _manifest(deployment)["acknowledgements"]
    field_id = field.profile().device_id
    assert set(acknowledged) == {field_id}
    # Only the head of the response's history is listed; it stands for its ancestors.
    assert len(acknowledged[field_id]) == 1
    assert _manifest(deployment)["format_version"] == 1

    out = field.run("package", "import", deployment)
    assert "confirmed that it received 1 response" in out
    assert _delivery(field, submission_id) == "received"
    assert "received by the secretariat" in field.run("response", "list")
    city = {c["id"]: c for c in field.json("city", "list")}["seoul"]
    assert city["status"] == "received"

    # Received is not sent again; --full still sends everything.
    nothing = _export(field, tmp_path / "nothing.neascn")
    assert nothing["by_type"].get("submission", 0) == 0 and nothing["resent"] == 0
    full = _export(field, tmp_path / "full.neascn", "--full")
    assert full["by_type"]["submission"] == lost["by_type"]["submission"]

    # A new change is "not sent" again, and only the new revision travels.
    field.run("response", "set", submission_id, "resp_name=Kim Min")
    assert _delivery(field, submission_id) == "not_sent"
    newer = _export(field, tmp_path / "newer.neascn")
    assert newer["by_type"]["submission"] == 1 and newer["resent"] == 0
    assert _delivery(field, submission_id) == "sent"


def test_an_acknowledgement_only_counts_from_the_trusted_secretariat(
        deployed: tuple[Device, Device, str], make_device, tmp_path: Path) -> None:
    sec, field, submission_id = deployed
    package = tmp_path / "r.neascn"
    _export(field, package)
    sec.run("package", "import", package)
    genuine = tmp_path / "genuine.neascn"
    sec.run("package", "export", "--kind", "deployment", "-o", genuine)
    acknowledged = _manifest(genuine)["acknowledgements"]
    field_id = field.profile().device_id

    # Another secretariat, unknown to the field device: its package waits; nothing changes.
    stranger = make_device("other_secretariat", "secretariat")
    by_stranger = _forge(genuine, tmp_path / "stranger.neascn", stranger, acknowledgements=acknowledged)
    before = field.digest
    out = field.run("package", "import", by_stranger, expect=1)
    assert "inbox" in out
    assert field.digest == before and _delivery(field, submission_id) == "sent"

    # A device the field device trusts, but as a task-force member, claiming to be a secretariat.
    member = make_device("member", "taskforce")
    field.run("trust", "add", member.keyfile, "--as", "taskforce")
    by_member = _forge(genuine, tmp_path / "member.neascn", member, acknowledgements=acknowledged, kind="all")
    field.run("package", "import", by_member, expect=None)
    assert _delivery(field, submission_id) == "sent"
    assert _export(field, tmp_path / "still.neascn")["by_type"]["submission"] >= 1

    # The trusted secretariat acknowledging someone else's revisions under another device id,
    # or ids that are not this device's revisions: nothing is marked.
    own_ids = acknowledged[field_id]
    misplaced = _forge(genuine, tmp_path / "misplaced.neascn", sec,
                       acknowledgements={"another-device": own_ids, field_id: ["0" * 64]})
    field.run("package", "import", misplaced)
    assert _delivery(field, submission_id) == "sent"

    # The genuine one does.
    field.run("package", "import", genuine)
    assert _delivery(field, submission_id) == "received"


@pytest.mark.parametrize("acknowledgements", [
    ["not", "an", "object"],
    {"device": "not-a-list"},
    {"device": ["not-a-revision-id"]},
    {"device": ["A" * 64]},
    {"device": []},
    {"": ["0" * 64]},
    {"x" * 101: ["0" * 64]},
    {"device": ["0" * 64, "0" * 64]},
    {"device": [7]},
], ids=["list", "string", "short-id", "upper-case", "empty", "empty-device", "long-device", "twice", "number"])
def test_a_malformed_acknowledgement_refuses_the_package(
        deployed: tuple[Device, Device, str], tmp_path: Path, acknowledgements: Any) -> None:
    sec, field, submission_id = deployed
    package = tmp_path / "r.neascn"
    _export(field, package)
    sec.run("package", "import", package)
    genuine = tmp_path / "genuine.neascn"
    sec.run("package", "export", "--kind", "deployment", "-o", genuine)
    field_id = field.profile().device_id
    if isinstance(acknowledgements, dict) and "device" in acknowledgements:
        acknowledgements = {field_id: acknowledgements["device"]}
    bad = _forge(genuine, tmp_path / "bad.neascn", sec, acknowledgements=acknowledgements)
    before = field.digest
    out = field.run("package", "import", bad, expect=1)
    assert "acknowledgement of received revisions is malformed" in out
    assert field.digest == before and _delivery(field, submission_id) == "sent"


def test_an_oversized_acknowledgement_or_one_in_a_responses_package_is_refused(
        deployed: tuple[Device, Device, str], tmp_path: Path) -> None:
    sec, field, submission_id = deployed
    package = tmp_path / "r.neascn"
    _export(field, package)
    sec.run("package", "import", package)
    genuine = tmp_path / "genuine.neascn"
    sec.run("package", "export", "--kind", "deployment", "-o", genuine)
    field_id = field.profile().device_id
    own = _manifest(genuine)["acknowledgements"][field_id]
    padding = [secrets.token_hex(32) for _ in range(MAX_REVISIONS)]
    huge = _forge(genuine, tmp_path / "huge.neascn", sec, acknowledgements={field_id: own + padding})
    before = field.digest
    out = field.run("package", "import", huge, expect=1)
    assert f"acknowledges more than {MAX_REVISIONS:,}".replace(",", "") in out.replace(",", "")
    assert field.digest == before and _delivery(field, submission_id) == "sent"

    # Only deployment and "all" packages may carry one.
    sec_package = tmp_path / "sec-responses.neascn"
    sec.run("package", "export", "--kind", "responses", "--no-encrypt", "-o", sec_package)
    wrong_kind = _forge(sec_package, tmp_path / "wrong-kind.neascn", sec,
                        acknowledgements={field_id: own})
    out = field.run("package", "import", wrong_kind, expect=1)
    assert "malformed" in out
    assert _delivery(field, submission_id) == "sent"


def test_the_acknowledgement_lists_only_what_is_held_with_all_its_ancestors(tmp_path: Path) -> None:
    """Heads per device, never a revision still waiting for its parents, never the writer's own
    or the built-in ones; past the limit the newest heads are kept."""
    sec_db, sec = new_profile(tmp_path / "sec", "secretariat", "Sec")
    try:
        def chain(device: str, entity: str, length: int, start: int) -> list[replica.Revision]:
            revisions: list[replica.Revision] = []
            for step in range(length):
                revisions.append(replica.make_revision(
                    "submission", entity, [revisions[-1].id] if revisions else [], device,
                    f"{1764065523512 + start + step:013d}-000000", {"answers": {"q": step}}))
            return revisions

        held = chain("device-a", "entity-1", 3, 0)
        branch = replica.make_revision("submission", "entity-1", [held[0].id], "device-a",
                                       "1764065529999-000000", {"answers": {"q": "branch"}})
        orphaned = chain("device-b", "entity-2", 2, 10)
        replica.add_revisions(sec_db, [*held, branch, orphaned[1]])  # b's first revision was lost
        replica.commit(sec_db, sec.device_id, "city", "somewhere", {"name": {"en": "S"}, "country": "KR"})
        from neascn_desktop.surveys import service

        service.ensure_builtin(sec_db)  # the built-in survey and cities are never acknowledged
        with sec_db.connect() as conn:
            acknowledged = receipts.build(conn, sec.device_id)
            assert acknowledged == {"device-a": sorted([held[-1].id, branch.id])}
            assert receipts.build(conn, sec.device_id, limit=1) == {"device-a": [branch.id]}
        replica.add_revisions(sec_db, [orphaned[0]])  # the lost one arrives: both are held now
        with sec_db.connect() as conn:
            assert receipts.build(conn, sec.device_id)["device-b"] == [orphaned[1].id]
    finally:
        sec_db.dispose()


def test_the_migration_keeps_what_was_sent(tmp_path: Path) -> None:
    """A field device upgraded from schema 0005 still shows its sent responses as sent."""
    from sqlalchemy import text

    from neascn_desktop.identity.profile import create_profile
    from neascn_desktop.store import open_database
    from neascn_desktop.surveys import service
    from tests.sync.sync_support import commit_submission

    old = open_database(tmp_path / "field", target="0005_framework")
    field = create_profile(old, name="Field", role="field", organisation="Test Org")
    revision = commit_submission(old, field, {"resp_name": "Kim"})
    with old.engine.begin() as conn:
        conn.execute(text("INSERT INTO survey_submission_sent (submission_id, revision_id, package_id, sent_at) "
                          "VALUES (:s, :r, 'p', '2026-11-25 10:00:00')"), {"s": revision.entity_id, "r": revision.id})
    old.dispose()
    db = open_database(tmp_path / "field")
    try:
        [submission] = service.list_submissions(db)
        assert (submission.display_status, submission.delivery) == ("sent", "sent")
    finally:
        db.dispose()
