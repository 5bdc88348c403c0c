"""Time the import of generated packages into a secretariat against an ``executemany`` baseline.

    python benchmarks/generate_packages.py --secretariat DATA_DIR --out DIR --devices 20 --packages 1000 --seed 1
    python benchmarks/import_packages.py --secretariat DATA_DIR --dir DIR

The timed part is exactly the two commands a secretariat would run:
``neascn --data-dir DATA_DIR trust add DIR/keys/*.key`` and
``neascn --data-dir DATA_DIR package import DIR/packages`` (separate
processes, start-up included).  The baseline inserts the same answer rows
(one row per answer of every imported submission revision:
revision id, submission id, question, JSON value) into a fresh SQLite file
with ``executemany`` in one transaction, with the same journal settings as the
app (WAL, synchronous=NORMAL).  Peak memory is the largest resident set of
the timed processes.  The budget: import <= 5 x baseline, peak < 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_RATIO = 5.0
BUDGET_MB = 300.0


def _neascn() -> list[str]:
    return [sys.executable, "-m", "neascn_desktop.cli"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(args: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one command."""
    cpu = _children_cpu()
    start = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"failed ({result.returncode}): {' '.join(args[:6])} ...")
    return elapsed, _children_cpu() - cpu


def answer_rows(data_dir: Path) -> list[tuple[str, str, str, str]]:
    """One row per answer of every submission revision stored in the secretariat."""
    conn = sqlite3.connect(f"file:{data_dir / 'neascn.sqlite3'}?mode=ro", uri=True)
    try:
        rows = []
        for rev_id, entity_id, payload in conn.execute(
            "SELECT id, entity_id, payload FROM replica_revision WHERE entity_type = 'submission'"
        ):
            for question, value in json.loads(payload).get("answers", {}).items():
                rows.append((rev_id, entity_id, question, json.dumps(value, ensure_ascii=False)))
        return rows
    finally:
        conn.close()


def baseline(rows: list[tuple[str, str, str, str]], primary_key: bool) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of the executemany and its commit."""
    with tempfile.TemporaryDirectory() as folder:
        conn = sqlite3.connect(Path(folder) / "baseline.sqlite3", isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        key = ", PRIMARY KEY (revision_id, question)" if primary_key else ""
        conn.execute(f"CREATE TABLE answer (revision_id TEXT NOT NULL, submission_id TEXT NOT NULL, "
                     f"question TEXT NOT NULL, value TEXT NOT NULL{key})")
        start, cpu = time.perf_counter(), time.process_time()
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO answer VALUES (?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        conn.close()
    return elapsed, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secretariat", type=Path, required=True, help="secretariat data directory")
    parser.add_argument("--dir", type=Path, required=True, help="the --out folder of generate_packages.py")
    parser.add_argument("--figures", type=Path, help="also append the figures (Markdown) to this file")
    args = parser.parse_args(argv)

    keys = sorted(str(p) for p in (args.dir / "keys").glob("*.key"))
    packages = args.dir / "packages"
    count = len(list(packages.glob("*.neascn")))
    data = ["--data-dir", str(args.secretariat)]
    trust_s, trust_cpu = _run([*_neascn(), *data, "trust", "add", *keys])
    import_s, import_cpu = _run([*_neascn(), *data, "package", "import", str(packages)])
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    total_s, total_cpu = trust_s + import_s, trust_cpu + import_cpu

    rows = answer_rows(args.secretariat)
    base = min(baseline(rows, primary_key=False) for _ in range(3))
    base_pk = min(baseline(rows, primary_key=True) for _ in range(3))
    ratio, ratio_cpu = total_s / base[0], total_cpu / base[1]
    figures = {
        "packages": count, "devices": len(keys), "answer_rows": len(rows),
        "trust_add_s": round(trust_s, 3), "import_s": round(import_s, 3), "timed_total_s": round(total_s, 3),
        "timed_total_cpu_s": round(total_cpu, 3),
        "baseline_executemany_s": round(base[0], 3), "baseline_executemany_cpu_s": round(base[1], 3),
        "baseline_with_primary_key_s": round(base_pk[0], 3),
        "ratio": round(ratio, 2), "ratio_cpu": round(ratio_cpu, 2),
        "ratio_vs_primary_key_baseline": round(total_s / base_pk[0], 2),
        "peak_memory_mb": round(peak_mb, 1), "cpu_count": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "within_budget": ratio <= BUDGET_RATIO and peak_mb < BUDGET_MB,
    }
    print(f"packages imported:            {count} from {len(keys)} devices ({len(rows)} answer rows)")
    print(f"trust add:                    {trust_s:.2f} s ({trust_cpu:.2f} s CPU)")
    print(f"package import:               {import_s:.2f} s ({import_cpu:.2f} s CPU)")
    print(f"timed total:                  {total_s:.2f} s ({total_cpu:.2f} s CPU)")
    print(f"baseline executemany:         {base[0]:.2f} s ({base[1]:.2f} s CPU; same rows, one transaction, no index)")
    print(f"  with a primary key:         {base_pk[0]:.2f} s")
    print(f"ratio (timed / baseline):     {ratio:.2f} wall, {ratio_cpu:.2f} CPU (budget {BUDGET_RATIO:.0f})")
    print(f"peak memory:                  {peak_mb:.0f} MB (budget {BUDGET_MB:.0f} MB)")
    print(f"load average (1 min):         {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(json.dumps(figures))
    if args.figures:
        with args.figures.open("a", encoding="utf-8") as handle:
            handle.write("\n```json\n" + json.dumps(figures, indent=2) + "\n```\n")
    return 0 if figures["within_budget"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
