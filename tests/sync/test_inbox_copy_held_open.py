"""Inbox decisions when the stored copy cannot be deleted (Windows: another process has it open).

Windows refuses to delete a file another process holds open (a colleague's
window previewing it on a shared disk, a virus scanner) with ``PermissionError``;
``Path.unlink`` of that one file raises it here.  The decision stands (it is
committed first), the copy is left, and the CLI says so in one sentence.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sync.sync_support import Device


def _waiting_package(make_device, tmp_path: Path) -> tuple[Device, Path, str]:  # type: ignore[no-untyped-def]
    sec = make_device("secretariat", "secretariat")
    field = make_device("field", "field")  # not trusted: its package waits in the inbox
    submission = field.json("response", "new", "--city", "seoul")["id"]
    field.run("response", "set", submission, "resp_name=Kim")
    package = tmp_path / "r.neascn"
    field.run("package", "export", "--kind", "responses", "-o", package, "--encrypt-for", sec.keyfile)
    sec.run("package", "import", package, expect=1)
    waiting = sec.json("inbox", "list")
    assert len(waiting) == 1
    return sec, Path(waiting[0]["file"]), waiting[0]["package_id"]


def _held_open(monkeypatch: pytest.MonkeyPatch, held: Path) -> None:
    real_unlink = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self == held:
            raise PermissionError(13, "The process cannot access the file because it is being "
                                      "used by another process", str(self))
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)


@pytest.mark.parametrize("decision", [("reject",), ("trust", "--only-this")])
def test_a_decision_stands_when_the_stored_copy_is_held_open(
    make_device, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, decision: tuple[str, ...]
) -> None:
    sec, stored, package_id = _waiting_package(make_device, tmp_path)
    _held_open(monkeypatch, stored)
    code, _out, err = sec.cli("--data-dir", sec.data_dir, "inbox", decision[0], package_id, *decision[1:])
    assert code == 0, err
    assert err.count("\n") == 1 and "in use by another program" in err and stored.name in err
    assert stored.is_file()  # left where it was
    assert sec.json("inbox", "list") == []  # the decision is recorded all the same
    applied = sec.stats()["submissions"]
    assert applied == (1 if decision[0] == "trust" else 0)
