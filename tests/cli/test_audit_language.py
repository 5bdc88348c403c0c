"""The audit log names its actions in the reader's language (CLI and the Inbox's audit table)."""

from __future__ import annotations

from pathlib import Path

from neascn_desktop.i18n import set_language


def test_audit_actions_are_translated_in_the_cli_and_the_audit_table(cli, tmp_path: Path, qapp) -> None:  # type: ignore[no-untyped-def]
    from neascn_desktop.gui.inbox.item_models import AuditTableModel
    from neascn_desktop.store import open_database
    from neascn_desktop.sync import audit

    data_dir = tmp_path / "sec"
    code, _out, err = cli("--data-dir", data_dir, "init", "--name", "Kim", "--role", "secretariat",
                          "--lang", "ko")
    assert code == 0, err
    code, _out, err = cli("--data-dir", data_dir, "package", "export", "--kind", "deployment",
                          "-o", tmp_path / "dep.neascn")
    assert code == 0, err
    code, out, err = cli("--data-dir", data_dir, "audit", "list")
    assert code == 0, err
    assert "  내보내기  내보냄  " in out  # was "  export  내보냄  "
    assert " export " not in out
    set_language("ko")
    db = open_database(data_dir)
    try:
        model = AuditTableModel()
        model.set_entries(audit.list_audit(db))
        assert model.data(model.index(0, 1)) == "내보내기"
        assert model.data(model.index(0, 2)) == "내보냄"
    finally:
        db.dispose()
        set_language("en")
