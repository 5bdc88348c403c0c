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

The machine's speed varies (a shared virtual machine), so the timed pair runs
``--runs`` times (default 5): first into DATA_DIR itself, then each time into a
fresh copy of DATA_DIR as it was before (the copies are removed at the end).
Each run is followed by its own baseline (the median of three ``executemany``
runs), so that a run and its baseline see the machine in the same state; the
ratio printed is the median of the runs' ratios.  The share of processor time
the hypervisor took away meanwhile ("steal", from /proc/stat) is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BUDGET_RATIO = 5.0
BUDGET_MB = 300.0


def _neascn() -> list[str]:
    """The ``neascn`` command installed beside this Python (what a secretariat runs), or the
    module when there is none."""
    script = Path(sys.executable).with_name("neascn.exe" if os.name == "nt" else "neascn")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "neascn_desktop.cli"]


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


def _timed_pair(data_dir: Path, keys: list[str], packages: Path) -> tuple[float, float, float, float]:
    """(trust add s, import s, trust add CPU s, import CPU s) of one secretariat."""
    data = ["--data-dir", str(data_dir)]
    trust_s, trust_cpu = _run([*_neascn(), *data, "trust", "add", *keys])
    import_s, import_cpu = _run([*_neascn(), *data, "package", "import", str(packages)])
    return trust_s, import_s, trust_cpu, import_cpu


def _steal_share(since: tuple[int, int] | None = None) -> Any:
    """/proc/stat's (steal, total) jiffies; with ``since``, the share stolen since then."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = [int(v) for v in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0 if since is not None else (0, 0)
    steal, total = (fields[7] if len(fields) > 7 else 0), sum(fields)
    if since is None:
        return steal, total
    return (steal - since[0]) / max(total - since[1], 1)


def _file_creation_ms(folder: Path, count: int = 300) -> float:
    """Milliseconds to create (and write 10 KB to) one file in ``folder``: an import writes one
    file per new attachment.  On some file systems this is ten times slower for minutes after
    many files were deleted nearby (ext4 without a journal, seen on the machine of the
    figures in the README), which skews the figures; it is printed so that it shows."""
    probe = folder / "file-creation-probe"
    probe.mkdir()
    data = b"x" * 10_000
    started = time.perf_counter()
    for number in range(count):
        (probe / f"{number}.part").write_bytes(data)
    elapsed = time.perf_counter() - started
    shutil.rmtree(probe)
    return 1000 * elapsed / count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secretariat", type=Path, required=True, help="secretariat data directory")
    parser.add_argument("--dir", type=Path, required=True, help="the --out folder of generate_packages.py")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (the first into DATA_DIR itself)")
    parser.add_argument("--figures", type=Path, help="also append the figures (Markdown) to this file")
    args = parser.parse_args(argv)

    keys = sorted(str(p) for p in (args.dir / "keys").glob("*.key"))
    packages = args.dir / "packages"
    count = len(list(packages.glob("*.neascn")))
    runs: list[tuple[float, float, float, float]] = []
    bases: list[tuple[float, float]] = []
    rows: list[tuple[str, str, str, str]] = []
    steal_before = _steal_share()
    with tempfile.TemporaryDirectory(prefix="neascn-bench-", dir=args.secretariat.parent) as scratch:
        pristine = Path(scratch) / "pristine"
        shutil.copytree(args.secretariat, pristine)
        creation_ms = _file_creation_ms(Path(scratch))
        for number in range(max(1, args.runs)):
            target = args.secretariat
            if number:
                target = Path(scratch) / f"run-{number}"
                shutil.copytree(pristine, target)
            runs.append(_timed_pair(target, keys, packages))
            if not rows:
                rows = answer_rows(args.secretariat)
            measured = [baseline(rows, primary_key=False) for _ in range(3)]
            bases.append((statistics.median(b[0] for b in measured), statistics.median(b[1] for b in measured)))
    steal = _steal_share(steal_before)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    totals = [t + i for t, i, _tc, _ic in runs]
    ratios = [total / base for total, (base, _cpu) in zip(totals, bases, strict=True)]
    ratios_cpu = [(r[2] + r[3]) / cpu for r, (_wall, cpu) in zip(runs, bases, strict=True)]
    trust_s = statistics.median(r[0] for r in runs)
    import_s = statistics.median(r[1] for r in runs)
    total_s = statistics.median(totals)
    total_cpu = statistics.median(r[2] + r[3] for r in runs)
    base = (statistics.median(b[0] for b in bases), statistics.median(b[1] for b in bases))
    base_pk = statistics.median(baseline(rows, primary_key=True)[0] for _ in range(3))
    ratio, ratio_cpu = statistics.median(ratios), statistics.median(ratios_cpu)
    figures = {
        "packages": count, "devices": len(keys), "answer_rows": len(rows), "runs": len(runs),
        "trust_add_s": round(trust_s, 3), "import_s": round(import_s, 3), "timed_total_s": round(total_s, 3),
        "timed_total_min_s": round(min(totals), 3), "timed_total_max_s": round(max(totals), 3),
        "timed_total_cpu_s": round(total_cpu, 3),
        "baseline_executemany_s": round(base[0], 3), "baseline_executemany_cpu_s": round(base[1], 3),
        "baseline_with_primary_key_s": round(base_pk, 3),
        "ratio": round(ratio, 2), "ratio_cpu": round(ratio_cpu, 2),
        "ratio_range": [round(min(ratios), 2), round(max(ratios), 2)],
        "steal_percent": round(100 * steal, 1), "file_creation_ms": round(creation_ms, 3),
        "ratio_vs_primary_key_baseline": round(total_s / base_pk, 2),
        "peak_memory_mb": round(peak_mb, 1), "cpu_count": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "within_budget": ratio <= BUDGET_RATIO and peak_mb < BUDGET_MB,
    }
    print(f"packages imported:            {count} from {len(keys)} devices ({len(rows)} answer rows)")
    for number, ((t, i, tc, ic), (b, _bc), r) in enumerate(zip(runs, bases, ratios, strict=True), start=1):
        print(f"  run {number}: trust add {t:.2f} s + package import {i:.2f} s = {t + i:.2f} s "
              f"({tc + ic:.2f} s CPU); baseline {b:.2f} s; ratio {r:.2f}")
    print(f"trust add:                    {trust_s:.2f} s (median of {len(runs)})")
    print(f"package import:               {import_s:.2f} s (median)")
    print(f"timed total:                  {total_s:.2f} s (median; {min(totals):.2f}-{max(totals):.2f} s; "
          f"{total_cpu:.2f} s CPU)")
    print(f"baseline executemany:         {base[0]:.2f} s ({base[1]:.2f} s CPU; same rows, one transaction, "
          "no index; median)")
    print(f"  with a primary key:         {base_pk:.2f} s")
    print(f"ratio (timed / baseline):     {ratio:.2f} wall (median of the runs; {min(ratios):.2f}-{max(ratios):.2f}), "
          f"{ratio_cpu:.2f} CPU (budget {BUDGET_RATIO:.0f})")
    print(f"peak memory:                  {peak_mb:.0f} MB (budget {BUDGET_MB:.0f} MB)")
    print(f"creating a file:              {creation_ms:.3f} ms (before the runs; much above 0.1 ms, the file "
          "system is slow right now)")
    print(f"load average (1 min):         {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; "
          f"{100 * steal:.1f} % of processor time stolen by the hypervisor meanwhile")
    print(json.dumps(figures))
    if args.figures:
        with args.figures.open("a", encoding="utf-8") as handle:
            handle.write("\n```json\n" + json.dumps(figures, indent=2) + "\n```\n")
    return 0 if figures["within_budget"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
