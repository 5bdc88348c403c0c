"""A framework export carries drafts typed but not yet cut into a revision."""

from __future__ import annotations

from pathlib import Path

from neascn_desktop.framework import service as framework


def test_framework_export_cuts_working_copies_first(make_device, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    alice, bob = make_device("alice", "taskforce"), make_device("bob", "taskforce")
    alice.run("trust", "add", bob.keyfile)
    bob.run("trust", "add", alice.keyfile)

    db = alice.open()
    try:
        framework.create_document(db, alice.profile(), "en")
        section = framework.list_sections(db)[0]
        framework.save_working_copy(db, section.id, "Typed at the airport, never saved.\n")
    finally:
        db.dispose()

    package = tmp_path / "drafts.neascn"
    alice.run("package", "export", "--kind", "framework", "-o", package)
    bob.run("package", "import", package)

    db = bob.open()
    try:
        assert framework.get_section(db, section.id).body == "Typed at the airport, never saved.\n"
    finally:
        db.dispose()
