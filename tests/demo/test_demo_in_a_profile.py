"""Demo data loaded into a real profile: marked, left out of reports and packages, audited, removable."""

from __future__ import annotations

import json
from pathlib import Path

from neascn_desktop import replica
from neascn_desktop.demo.loading import load_into_profile, remove_from_profile
from neascn_desktop.demo.marks import demo_ids, holds_demo_data
from neascn_desktop.identity.profile import Profile
from neascn_desktop.reports.collect import collect_readiness, collect_status
from neascn_desktop.store.database import Database
from neascn_desktop.surveys import service as surveys
from neascn_desktop.sync import audit
from neascn_desktop.sync.exporter import export_package


def _real_response(db: Database, profile: Profile) -> str:
    surveys.ensure_builtin(db)
    return surveys.create_submission(db, profile, "darkhan").submission.id


def test_demo_in_a_real_profile_is_marked_and_left_out_of_reports(
        db: Database, secretariat_profile: Profile) -> None:
    real = _real_response(db, secretariat_profile)
    before = replica.digest(db)

    loaded = load_into_profile(db, secretariat_profile, cities=6)

    assert loaded.report.created == 6 and loaded.marked
    ids = demo_ids(db)
    assert real not in ids and len([s for s in surveys.list_submissions(db) if s.id in ids]) == 6
    readiness = collect_readiness(db, "en")
    assert [c.city_id for c in readiness.cities if c.answered] == ["darkhan"]
    assert [r.submission_id for r in collect_status(db, "en").submissions] == [real]
    entry = audit.list_audit(db)[0]
    assert (entry.action, entry.verdict, entry.counts["responses"]) == ("demo", "demo_loaded", 6)

    removed = remove_from_profile(db)

    assert removed.records == len(ids) and not holds_demo_data(db)
    assert replica.digest(db) == before
    assert [s.id for s in surveys.list_submissions(db)] == [real]
    assert audit.list_audit(db)[0].verdict == "demo_removed"
    assert remove_from_profile(db).records == 0  # a second removal finds nothing


def test_demo_records_never_leave_in_a_package(db: Database, field_profile: Profile,
                                               tmp_path: Path) -> None:
    real = _real_response(db, field_profile)
    load_into_profile(db, field_profile, cities=3)
    result = export_package(db, "responses", tmp_path / "out.neascn", auto_recipient=False)
    assert result.by_type.get("submission") == 1
    assert not demo_ids(db) & {real}


def test_the_cli_marks_and_removes(cli, data_dir: Path) -> None:
    assert cli("--data-dir", data_dir, "init", "--name", "Sec", "--role", "secretariat")[0] == 0
    code, out, err = cli("--data-dir", data_dir, "--json", "demo", "--cities", "2")
    assert code == 0, err
    assert json.loads(out)["marked"] is True
    code, out, err = cli("--data-dir", data_dir, "--json", "demo", "--remove")
    assert code == 0, err
    assert json.loads(out)["records"] >= 2
    code, out, _err = cli("--data-dir", data_dir, "--json", "response", "list")
    assert code == 0 and json.loads(out) == []
