"""benchmarks/generate_packages.py on a secretariat that already holds demo data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.sync.sync_support import Device

ROOT = Path(__file__).resolve().parents[2]


def test_generator_runs_on_a_secretariat_with_demo_data(make_device, tmp_path: Path) -> None:
    sec: Device = make_device("sec", "secretariat")
    sec.run("demo", "--unmarked", "--cities", "4")
    assert len(sec.json("city", "list")) < 120
    out = tmp_path / "bench"
    # More cities than the built-in list: the generator adds its own beside the demo's records
    # (with ``random.Random(1)`` for both, its 81st city took the id of a demo submission).
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate_packages.py"), "--secretariat", str(sec.data_dir),
         "--out", str(out), "--devices", "2", "--packages", "2", "--per-package", "1",
         "--cities", "120", "--seed", "1"],
        capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["packages"] == 2
    assert len(sec.json("city", "list")) == 120
    sec.run("trust", "add", *sorted((out / "keys").iterdir()))
    report = sec.json("package", "import", out / "packages")
    assert [o["status"] for o in report["packages"]] == ["applied", "applied"]
    assert len(sec.json("response", "list")) == 4 + 2


def test_generated_packages_stay_dated_in_the_past_at_any_size() -> None:
    """10,000 packages an hour apart ended in 2027, and the importer refused them as made more
    than a day ahead of its clock (issue 19)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate_packages as generator
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    for packages in (10, 1000, 10_000, 100_000):
        first, last = generator.package_time(0, packages), generator.package_time(packages - 1, packages)
        assert first == generator.START and last < generator.START + generator.SPAN
        assert generator.package_time(1, packages) > first
    assert generator.package_time(1, 1000) - generator.START == generator.timedelta(hours=1)  # as before
