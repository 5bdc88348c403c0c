"""An attachment already stored is done: publishing never renames onto it.

Windows refuses to replace a file another process has open (the GUI showing
the photo, a viewer): that ``os.replace`` raises ``PermissionError`` here.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from neascn_desktop.store import attachments


def _windows_locks(monkeypatch: pytest.MonkeyPatch, held: Path) -> None:
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(dst) == held:
            raise PermissionError(13, "The process cannot access the file because it is being "
                                      "used by another process", str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(attachments.os, "replace", replace)


def test_an_existing_intact_target_counts_as_done_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo, scan = b"a photo of the city hall", b"a scanned strategy, page 1"
    sha_photo, sha_scan = hashlib.sha256(photo).hexdigest(), hashlib.sha256(scan).hexdigest()
    attachments.store_bytes(tmp_path, sha_photo, photo)  # imported before, now open in a viewer
    before = (tmp_path / sha_photo).stat()
    _windows_locks(monkeypatch, tmp_path / sha_photo)

    staged = [attachments.write_temporary(tmp_path, sha_photo, photo),
              attachments.write_temporary(tmp_path, sha_scan, scan)]
    attachments.publish(staged)

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([sha_photo, sha_scan])
    assert (tmp_path / sha_photo).stat().st_ino == before.st_ino  # not replaced
    assert (tmp_path / sha_scan).read_bytes() == scan


def test_a_damaged_target_is_still_replaced(tmp_path: Path) -> None:
    photo = b"a photo of the city hall"
    sha = hashlib.sha256(photo).hexdigest()
    (tmp_path / sha).write_bytes(b"half a phot")  # a crash on a file system without journaling
    attachments.publish([attachments.write_temporary(tmp_path, sha, photo)])
    assert (tmp_path / sha).read_bytes() == photo
    assert [p.name for p in tmp_path.iterdir()] == [sha]
