"""Private key files: two writers of one key never trip over each other's temporary file."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from neascn_desktop.identity import key_protection, keys


def test_two_writers_of_one_key_file_both_succeed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Inbox's preview and its import may register the same key at once: the first writer
    is held inside its write while the second writes and renames the whole file."""
    path = tmp_path / "keys" / "x25519-0000.pem"
    first_inside, second_done = threading.Event(), threading.Event()
    seal = key_protection.seal

    def held_seal(pem: bytes) -> bytes:
        if threading.current_thread().name == "first":
            first_inside.set()
            assert second_done.wait(60)
        return seal(pem)

    monkeypatch.setattr(key_protection, "seal", held_seal)
    errors: list[BaseException] = []

    def first() -> None:
        try:
            keys.write_private_key(path, b"first")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=first, name="first")
    thread.start()
    assert first_inside.wait(60)
    keys.write_private_key(path, b"second")
    second_done.set()
    thread.join(60)
    assert not errors
    assert keys.read_private_key(path) in (b"first", b"second")
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
