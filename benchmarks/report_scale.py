"""Benchmark: the readiness report at 300 and 1,000 cities, time and peak memory (issue 17).

    python benchmarks/report_scale.py [--cities 300 1000] [--lang en] [--keep DIR]

For each size, a fresh secretariat data directory is filled (not timed) with
that many cities (names, countries, coordinates) and one submission of the
built-in survey per city (its newest version, with up to four projects
where it has the project repeat; nine in ten finalized and 90 % answered, the rest in
progress with half the questions answered, one city in eleven without any),
written as revisions the way an import writes them.  Then a *new* process runs
``reports.service.build_report(db, "readiness", ...)`` — the use case behind
``neascn report readiness`` and the Reports workspace: reading the database,
scoring, charts and the Word document — and reports its wall time and the
process's peak resident memory (``ru_maxrss``: Python, matplotlib and the
document together), and its CPU time: on a machine shared with other jobs the
wall time follows the load (printed first), the CPU time much less.  Budget:
1,000 cities under 15 s and 300 MB, growing about linearly from 300.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

BUDGET_SECONDS = 15.0
BUDGET_MB = 300.0
COUNTRIES = ("KR", "CN", "JP", "MN", "RU")


def _answer(rng: random.Random, definition: Any, question: Any) -> Any:
    kind = question.type
    if kind in ("select_one", "scale", "yes_no"):
        return rng.choice(definition.choices_for(question)).name
    if kind == "select_multiple":
        choices = definition.choices_for(question)
        return [c.name for c in choices if rng.random() < 0.4] or [choices[0].name]
    if kind == "integer":
        return rng.randint(0, 5_000_000)
    if kind == "decimal":
        return round(rng.uniform(0, 100), 1)
    if kind == "date":
        return f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return None


def fill(data_dir: Path, cities: int, seed: int = 17) -> None:
    """A secretariat with ``cities`` cities and one submission for ten in eleven of them."""
    from neascn_desktop import replica
    from neascn_desktop.identity.profile import create_profile
    from neascn_desktop.replica.clock import format_clock
    from neascn_desktop.store import open_database
    from neascn_desktop.surveys import service

    db = open_database(data_dir)
    profile = create_profile(db, name="Benchmark Secretariat", role="secretariat",
                             organisation="NEASCN Secretariat")
    service.ensure_builtin(db)
    definition = service.get_definition(db)
    questions = [q for q in definition.questions if q.repeat is None
                 and q.type not in ("note", "calculate", "attachment", "text", "geopoint")]
    pipeline = definition.answer_scopes[""].repeats.get("projects")
    members = definition.answer_scopes[pipeline.path].questions if pipeline else {}
    rng = random.Random(seed)
    base_ms = 1_780_000_000_000
    batch: list[Any] = []
    for index in range(cities):
        city_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        batch.append(replica.make_revision("city", city_id, [], profile.device_id,
                                           format_clock(base_ms + 2 * index, 0), {
            "name": {"en": f"Benchmark City {index + 1}"},
            "country": rng.choice(COUNTRIES), "population": rng.randint(50_000, 5_000_000),
            "latitude": round(rng.uniform(35, 55), 3), "longitude": round(rng.uniform(100, 140), 3),
            "source": "benchmark"}))
        if index % 11 == 10:
            continue
        finalized = rng.random() < 0.9
        share = 0.9 if finalized else 0.5
        answers = {q.name: value for q in questions
                   if rng.random() < share and (value := _answer(rng, definition, q)) is not None}
        if members:  # up to four projects per city (survey 2026.2 and later)
            answers["projects"] = [
                {"@id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                 "proj_name": f"Project {n + 1} of city {index + 1}",
                 **{key: value for key in ("proj_sector", "proj_stage", "proj_financing",
                                           "proj_investment", "proj_currency")
                    if key in members and (value := _answer(rng, definition, members[key]))
                    is not None}}
                for n in range(rng.randint(0, 4))]
        day = f"2026-{rng.randint(3, 6):02d}-{rng.randint(1, 28):02d}T10:00:00+00:00"
        batch.append(replica.make_revision(
            "submission", str(uuid.UUID(int=rng.getrandbits(128), version=4)), [],
            profile.device_id, format_clock(base_ms + 2 * index + 1, 0), {
                "form_id": definition.form_id, "form_version": definition.version,
                "city_id": city_id, "status": "finalized" if finalized else "in_progress",
                "answers": answers, "attachments": {}, "enumerator": "Bench",
                "device_id": profile.device_id, "started_at": day, "updated_at": day,
                "finalized_at": day if finalized else None, "language": "en"}))
        if len(batch) >= 2000:
            replica.add_revisions(db, batch)
            batch = []
    if batch:
        replica.add_revisions(db, batch)
    db.dispose()


def measure(data_dir: Path, language: str, output: Path) -> dict[str, float]:
    """Build the report in this (fresh) process; wall seconds and peak RSS in MB."""
    import resource
    import time

    from neascn_desktop.reports.service import build_report
    from neascn_desktop.store import open_database

    db = open_database(data_dir)
    start = time.perf_counter()
    result = build_report(db, "readiness", output, language=language)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    if sys.platform == "darwin":
        peak /= 1024  # bytes there
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": peak, "figures": result.figures,
            "tables": result.tables, "size_mb": output.stat().st_size / 1e6}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--lang", default="en")
    parser.add_argument("--keep", type=Path, help="folder to keep the data and reports in")
    parser.add_argument("--measure", nargs=3, metavar=("DATA_DIR", "LANG", "OUT"),
                        help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), args.measure[1], Path(args.measure[2]))))
        return 0

    folder = args.keep or Path(tempfile.mkdtemp(prefix="neascn-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    ok = True
    rows = []
    if hasattr(os, "getloadavg"):  # wall time on a shared machine follows its load
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    for count in args.cities:
        data_dir = folder / f"data-{count}"
        if not data_dir.exists():
            fill(data_dir, count)
        output = folder / f"readiness-{count}-{args.lang}.docx"
        child = subprocess.run(
            [sys.executable, __file__, "--measure", str(data_dir), args.lang, str(output)],
            capture_output=True, text=True, check=True)
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        rows.append((count, figures))
        print(f"{count:>5} cities: {figures['seconds']:6.2f} s (process CPU {figures['cpu']:.1f} s), peak {figures['peak_mb']:5.0f} MB "
              f"({figures['tables']} tables, {figures['figures']} figures, "
              f"{figures['size_mb']:.1f} MB file)")
        if count >= 1000:
            ok = ok and figures["seconds"] < BUDGET_SECONDS and figures["peak_mb"] < BUDGET_MB
    if len(rows) >= 2:
        (small, a), (large, b) = rows[0], rows[-1]
        print(f"growth {small} → {large} cities: time ×{b['seconds'] / a['seconds']:.2f}, "
              f"memory ×{b['peak_mb'] / a['peak_mb']:.2f} (cities ×{large / small:.2f})")
    print("within budget" if ok else f"OVER BUDGET (1,000 cities: {BUDGET_SECONDS:.0f} s, "
          f"{BUDGET_MB:.0f} MB)")
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
