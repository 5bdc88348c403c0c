"""Fixtures of the sync tests (helpers live in ``sync_support``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.sync.sync_support import Device


@pytest.fixture
def make_device(tmp_path: Path, cli) -> Callable[[str, str], Device]:  # type: ignore[no-untyped-def]
    def make(name: str, role: str) -> Device:
        device = Device(name, tmp_path / name, cli)
        device.run("init", "--name", name.replace("_", " ").title(), "--role", role, "--org", "Test Org")
        return device

    return make
