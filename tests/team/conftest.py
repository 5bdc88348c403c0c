"""Fixtures of the team tests: a secretariat with field packages encrypted for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class FieldPackages:
    """A secretariat data directory (SQLite, trusting the field devices) and their packages."""

    secretariat: Path
    packages: Path
    count: int


def generate(secretariat: Path, out: Path, *, devices: int, packages: int, seed: int = 1) -> FieldPackages:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate_packages.py"), "--secretariat", str(secretariat),
         "--out", str(out), "--devices", str(devices), "--packages", str(packages), "--per-package", "2",
         "--cities", "30", "--seed", str(seed)],
        capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["packages"] == packages
    return FieldPackages(secretariat, out / "packages", packages)


@pytest.fixture
def field_packages(tmp_path: Path, cli) -> FieldPackages:  # type: ignore[no-untyped-def]
    """The tests using these copy the secretariat's SQLite file onto the server themselves."""
    from tests.conftest import ALL_ON_POSTGRES_ENV

    if os.environ.get(ALL_ON_POSTGRES_ENV):
        pytest.skip(f"the secretariat is a SQLite file ({ALL_ON_POSTGRES_ENV} runs on PostgreSQL)")
    made = generate(tmp_path / "sec", tmp_path / "field", devices=3, packages=24)
    code, _out, err = cli("--data-dir", made.secretariat, "trust", "add",
                          *sorted((tmp_path / "field" / "keys").iterdir()))
    assert code == 0, err
    return made
