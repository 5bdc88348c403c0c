"""Benchmark: 50,000 submissions of the built-in survey exported to CSV (budget: under 5 s).

    python benchmarks/export_csv.py [--submissions 50000] [--xlsx 5000] [--data-dir DIR]

Fills a fresh data directory with made-up submissions (as revisions added in
bulk, the way a package import adds them; not timed), then times
``export_responses(db, path, "csv")`` — the same use case ``neascn response
export`` runs — and prints rows, columns, size and seconds.  ODK Briefcase's
published figure for 50,000 submissions is 23 s.  ``--xlsx N`` also times an
XLSX export of the first N submissions' worth (openpyxl write-only).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

BUDGET_SECONDS = 5.0


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
    if kind == "text":
        return rng.choice(["Pilot projects with the ministry", "스마트시티 전략 수립 중",
                           "Планируется расширение", "データ連携基盤を整備中"])
    return None


def populate(db: Any, count: int, seed: int = 5) -> str:
    from neascn_desktop import replica
    from neascn_desktop.replica.clock import format_clock
    from neascn_desktop.surveys.service import get_definition, list_cities

    definition = get_definition(db)
    cities = [c.id for c in list_cities(db)]
    questions = [q for q in definition.questions
                 if q.type not in ("note", "calculate", "attachment") and q.repeat is None]
    rng = random.Random(seed)
    batch: list[Any] = []
    base_ms = 1_780_000_000_000
    for index in range(count):
        answers = {q.name: value for q in questions
                   if rng.random() < 0.9 and (value := _answer(rng, definition, q)) is not None}
        payload = {
            "form_id": definition.form_id, "form_version": definition.version,
            "city_id": rng.choice(cities), "status": "finalized", "answers": answers,
            "attachments": {}, "enumerator": "Bench", "device_id": "bench-device",
            "started_at": "2026-05-01T09:00:00+00:00", "updated_at": "2026-05-01T11:00:00+00:00",
            "finalized_at": "2026-05-01T11:00:00+00:00", "language": "en",
        }
        submission_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        batch.append(replica.make_revision("submission", submission_id, [], "bench-device",
                                           format_clock(base_ms + index, 0), payload))
        if len(batch) == 5000:
            replica.add_revisions(db, batch)
            batch = []
    if batch:
        replica.add_revisions(db, batch)
    return definition.version


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=50_000)
    parser.add_argument("--xlsx", type=int, default=0, help="also time XLSX (0: skip)")
    parser.add_argument("--data-dir", type=Path, help="reuse/keep this data directory")
    args = parser.parse_args()

    from neascn_desktop.reports.data_export import count_submissions, export_responses
    from neascn_desktop.store import open_database

    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="neascn-export-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = open_database(folder)
    try:
        existing = count_submissions(db)
        if existing < args.submissions:
            start = time.perf_counter()
            populate(db, args.submissions - existing, seed=existing + 5)
            print(f"(populated {args.submissions - existing} submissions in "
                  f"{time.perf_counter() - start:.1f} s; not part of the figure)")
        target = folder / "export.csv"
        start = time.perf_counter()
        result = export_responses(db, target, "csv")
        seconds = time.perf_counter() - start
        print(f"submissions exported:   {result.rows}")
        print(f"columns:                {result.columns}")
        print(f"CSV size:               {target.stat().st_size / 1e6:.1f} MB")
        print(f"CSV export:             {seconds:.2f} s  (budget < {BUDGET_SECONDS:.0f} s; "
              f"ODK Briefcase: 23 s)")
        if args.xlsx:
            from neascn_desktop.reports import data_export
            from neascn_desktop.surveys.service import get_definition, list_cities

            definition = get_definition(db)
            names = {c.id: c.name_in("en") for c in list_cities(db)}
            records = data_export.iter_submission_payloads(db, definition.form_id, definition.version)
            limited = (r for i, r in enumerate(records) if i < args.xlsx)
            start = time.perf_counter()
            xlsx = data_export.write_xlsx(definition, limited, folder / "export.xlsx",
                                          city_names=names)
            print(f"XLSX export:            {time.perf_counter() - start:.2f} s for {xlsx.rows} rows")
        ok = seconds < BUDGET_SECONDS
        print("within budget" if ok else "OVER BUDGET")
        return 0 if ok else 1
    finally:
        db.dispose()
        if args.data_dir is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
