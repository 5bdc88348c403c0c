"""Issue 16, a truthful inbox: Import only for what it would apply, several senders trusted at
once, and after a trust decision every row, the preview and the Details cell say that package's
own current state."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from neascn_desktop import replica  # noqa: E402
from neascn_desktop.gui.context import GuiContext  # noqa: E402
from neascn_desktop.gui.inbox.item_models import PackageTableModel  # noqa: E402
from neascn_desktop.sync.exporter import Recipient, export_package  # noqa: E402
from tests.sync.sync_support import commit_submission, new_profile  # noqa: E402

STATE, DETAILS, TRUST = (PackageTableModel.COLUMNS.index(c) for c in ("State", "Details", "Sender trust"))


@pytest.fixture
def two_senders(tmp_path: Path):  # type: ignore[no-untyped-def]
    sec_db, sec = new_profile(tmp_path / "sec", "secretariat", "Secretariat")
    recipient = Recipient(sec.device_id, sec.display_name, sec.encryption_public_key)
    drop = tmp_path / "drop"
    drop.mkdir()
    others = []
    for name, city in (("Bat-Erdene", "ulaanbaatar"), ("Kim Min-ji", "busan")):
        db, profile = new_profile(tmp_path / city, "field", name)
        commit_submission(db, profile, {"resp_name": name}, city_id=city)
        export_package(db, "responses", drop / f"{city}.neascn", recipient=recipient)
        others.append(db)
    yield sec_db, sec, drop
    for db in (sec_db, *others):
        db.dispose()


def _workspace(qtbot, sec_db, sec, confirmations: list[str]):  # type: ignore[no-untyped-def]
    from neascn_desktop.gui.inbox.workspace import InboxWorkspace

    workspace = InboxWorkspace(GuiContext(db=sec_db, profile=sec))
    qtbot.addWidget(workspace)
    workspace.confirm = lambda text: confirmations.append(text) or True  # type: ignore[method-assign]
    return workspace


def _wait(qtbot, workspace) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not workspace.jobs, timeout=120_000)


def _cell(workspace, path: Path, column: int) -> str:  # type: ignore[no-untyped-def]
    model = workspace.model
    return str(model.data(model.index(model.row_of(path), column)))


def test_import_is_off_for_packages_that_would_only_wait(qtbot, two_senders) -> None:  # type: ignore[no-untyped-def]
    sec_db, sec, drop = two_senders
    workspace = _workspace(qtbot, sec_db, sec, [])
    workspace.add_paths([drop])
    _wait(qtbot, workspace)
    assert {i.state for i in workspace.model.items()} == {"waiting"}
    assert not workspace.import_button.isEnabled()  # nothing selected: nothing to import
    assert "trust the sender" in workspace.import_button.toolTip()
    workspace.table.selectRow(workspace.model.row_of(drop / "busan.neascn"))
    assert not workspace.import_button.isEnabled() and workspace.trust_button.isEnabled()
    _wait(qtbot, workspace)
    # The preview names what is inside, in the reader's words.
    assert "Busan, in progress, 1 answer, by Kim Min-ji" in workspace.preview.toPlainText()


def test_trusting_several_senders_at_once_and_each_row_says_its_own_state(qtbot, two_senders) -> None:  # type: ignore[no-untyped-def]
    sec_db, sec, drop = two_senders
    asked: list[str] = []
    workspace = _workspace(qtbot, sec_db, sec, asked)
    workspace.add_paths([drop])
    _wait(qtbot, workspace)
    workspace.table.selectAll()
    assert workspace.trust_button.isEnabled()

    workspace.trust_button.click()
    _wait(qtbot, workspace)

    assert len(asked) == 1 and "Bat-Erdene" in asked[0] and "Kim Min-ji" in asked[0]
    assert replica.counts(sec_db)["entities"].get("submission") == 2
    ub, busan = drop / "ulaanbaatar.neascn", drop / "busan.neascn"
    for path in (ub, busan):
        assert _cell(workspace, path, STATE) == "imported"
        assert _cell(workspace, path, TRUST) == "trusted"
    # Each Details cell is that package's own sentence, not the batch's summary.
    assert _cell(workspace, ub, DETAILS) != _cell(workspace, busan, DETAILS)
    assert "Bat-Erdene" in _cell(workspace, ub, DETAILS) or ub.name in _cell(workspace, ub, DETAILS)
    assert "Kim Min-ji" not in _cell(workspace, ub, DETAILS)
    workspace.table.selectRow(workspace.model.row_of(ub))
    _wait(qtbot, workspace)
    preview = workspace.preview.toPlainText()
    assert "not trusted" not in preview and "would wait" not in preview
    assert "Kim Min-ji" not in preview



def test_details_speak_the_readers_language_without_raw_kinds(qtbot, two_senders) -> None:  # type: ignore[no-untyped-def]
    """"(responses)" and "(deployment)" stood in English inside Korean and Mongolian sentences."""
    from neascn_desktop import i18n

    sec_db, sec, drop = two_senders
    workspace = _workspace(qtbot, sec_db, sec, [])
    try:
        i18n.set_language("ko")
        workspace.retranslateUi()
        workspace.add_paths([drop / "busan.neascn"])
        _wait(qtbot, workspace)
        workspace.table.selectRow(workspace.model.row_of(drop / "busan.neascn"))
        workspace.trust_button.click()
        _wait(qtbot, workspace)
        details = _cell(workspace, drop / "busan.neascn", DETAILS)
        assert "응답" in details and "responses" not in details
    finally:
        i18n.set_language("en")


def test_state_and_details_are_on_screen_at_the_default_width(qtbot, two_senders) -> None:  # type: ignore[no-untyped-def]
    sec_db, sec, drop = two_senders
    workspace = _workspace(qtbot, sec_db, sec, [])
    workspace.resize(1000, 600)  # the workspace's share of the 1,100-pixel window
    workspace.show()
    qtbot.waitExposed(workspace)
    workspace.add_paths([drop])
    _wait(qtbot, workspace)
    header = workspace.table.horizontalHeader()
    visible = workspace.table.viewport().width()
    for column in (STATE, DETAILS):
        assert header.sectionViewportPosition(column) + min(header.sectionSize(column), 120) <= visible
    assert header.sectionSize(STATE) >= header.sectionSizeHint(STATE)


def test_a_language_switch_says_the_summary_and_the_audit_actions_again(qtbot, two_senders) -> None:  # type: ignore[no-untyped-def]
    """The import summary stayed English after switching to Chinese, and the audit log showed
    ``import``/``trust`` as stored."""
    from neascn_desktop import i18n

    sec_db, sec, drop = two_senders
    workspace = _workspace(qtbot, sec_db, sec, [])
    workspace.add_paths([drop / "busan.neascn"])
    _wait(qtbot, workspace)
    workspace.table.selectRow(0)
    workspace.trust_button.click()
    _wait(qtbot, workspace)
    english = workspace.summary.text()
    assert "applied" in english
    try:
        i18n.set_language("zh_Hans")
        workspace.retranslateUi()
        assert workspace.summary.text() != english and "applied" not in workspace.summary.text()
        audit = workspace.audit_model
        actions = {audit.data(audit.index(r, 1)) for r in range(audit.rowCount())}
        assert actions and not actions & {"import", "trust", "inbox", "export", "resolve"}
    finally:
        i18n.set_language("en")


def test_in_mongolian_the_details_keep_room_at_the_default_width(qtbot, two_senders) -> None:  # type: ignore[no-untyped-def]
    """Mongolian's long headers ("Илгээгчийн итгэмжлэл") and trust words pushed Details to a
    few pixels at the right edge of a 1,100-pixel window."""
    from neascn_desktop import i18n

    sec_db, sec, drop = two_senders
    i18n.set_language("mn")
    try:
        workspace = _workspace(qtbot, sec_db, sec, [])
        workspace.resize(900, 600)  # the workspace's share of the window beside the Mongolian sidebar
        workspace.show()
        qtbot.waitExposed(workspace)
        workspace.add_paths([drop])
        _wait(qtbot, workspace)
        header = workspace.table.horizontalHeader()
        visible = workspace.table.viewport().width()
        n = workspace.table.fontMetrics().horizontalAdvance("n")
        assert visible - header.sectionViewportPosition(DETAILS) >= 12 * n
    finally:
        i18n.set_language("en")
