"""The cyclic garbage collector during an import: the GUI's stays on, only the CLI pauses its own."""

from __future__ import annotations

import gc
from pathlib import Path

from neascn_desktop.cli.package import collector_paused
from neascn_desktop.identity.trust import read_keycard, trust_keycard
from neascn_desktop.sync.exporter import export_package
from neascn_desktop.sync.importer import import_packages
from tests.sync.sync_support import commit_submission, keycard, new_profile


def test_import_use_case_leaves_the_collector_on(tmp_path: Path) -> None:
    """The Inbox runs the import in the GUI process: the collector must run throughout."""
    sec_db, _sec = new_profile(tmp_path / "sec", "secretariat", "Sec")
    field_db, field = new_profile(tmp_path / "field", "field", "Field")
    trust_keycard(sec_db, read_keycard(keycard(field_db, field, tmp_path)))
    commit_submission(field_db, field, {"resp_name": "A"})
    export_package(field_db, "responses", tmp_path / "1.neascn", auto_recipient=False)
    seen: list[bool] = []
    assert gc.isenabled()
    report = import_packages(sec_db, [tmp_path / "1.neascn"], progress=lambda *_a: seen.append(gc.isenabled()))
    assert report.exit_code == 0
    assert seen and all(seen)
    sec_db.dispose()
    field_db.dispose()


def test_cli_pause_restores_the_collector_as_it_was() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # paused by someone else: left so
    finally:
        gc.enable()
