"""The secretariat's daily operations as the network grows: time, peak memory, growth exponent.

    python benchmarks/scale.py                 # 100, 1,000 and 10,000 packages (long)
    python benchmarks/scale.py --quick         # 100 and 1,000 packages
    python benchmarks/scale.py --quick --readme  # ... and the README's table (Markdown)

For each size, ``generate_packages.py`` makes a secretariat (300 cities) and that
many signed, encrypted packages from 20 devices (not timed; kept in ``--work``
and reused by later runs).  Into a fresh copy of that secretariat, after
``neascn trust add`` of the devices' key cards (not timed), each operation is
the real command line in a process of its own, start-up included (the whole sequence
``--repeat`` times below 10,000 packages, the median of each operation kept; the
machine is shared and a single short run is at the mercy of its load):

- ``import --dry-run``: ``package import --dry-run`` of the folder, before the import;
- ``import``: ``package import`` of the folder;
- ``re-import``: the same command again (nothing new);
- ``verify``: ``package verify`` of the folder;
- ``stats``, ``conflicts list``;
- ``CSV export``, ``XLSX export``: ``response export`` of the built-in survey;
- ``export all``: ``package export --kind all --no-encrypt --full``;
- ``readiness report``: ``report readiness`` of every city, as .docx.

The readiness report is also run on a secretariat of 1,000 cities (1,000 packages),
against 300 cities at the same size.  Printed per operation and size: wall
seconds, peak resident memory of the process (MB) and the database file's size
afterwards; per operation, the growth exponent between consecutive sizes
(``log(t2/t1) / log(n2/n1)``: 1 is linear).  The script fails (exit 1) when an
exponent is above ``MAX_EXPONENT`` or a budget of issue 19 is missed: verify at
most 1.2 x the dry run (every size); at 10,000 packages, re-import at most 10 % of
the import and ``export all`` under 150 MB.  (A re-import of a smaller folder is
mostly the command's start-up, which does not grow with the network.)  Times
below ``FLOOR_SECONDS`` are start-up, not growth: an exponent is computed only
where the larger time is above it.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_EXPONENT = 1.15
FLOOR_SECONDS = 1.0
REIMPORT_SHARE = 0.10
VERIFY_RATIO = 1.2
EXPORT_ALL_MB = 150.0
DEVICES = 20

OPERATIONS = ("import --dry-run", "import", "re-import", "verify", "stats", "conflicts list", "CSV export",
              "XLSX export", "export all", "readiness report")


@dataclass
class Measure:
    seconds: float
    peak_mb: float
    db_mb: float


def _neascn() -> list[str]:
    script = Path(sys.executable).with_name("neascn.exe" if os.name == "nt" else "neascn")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "neascn_desktop.cli"]


def _run_measured(args: list[str]) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of one process, reaped here so its own peak is known."""
    start = time.perf_counter()
    pid = os.posix_spawnp(args[0], args, os.environ)
    _pid, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed (status {status}): {' '.join(args[:8])} ...")
    return elapsed, usage.ru_maxrss / 1024


def _quiet(args: list[str]) -> list[str]:
    """Run ``args`` with its output sent to a log (the measured processes print a lot)."""
    return ["/bin/sh", "-c", '"$@" >>"$NEASCN_SCALE_LOG" 2>&1', "sh", *args]


def _db_mb(data_dir: Path) -> float:
    return sum(p.stat().st_size for p in data_dir.glob("neascn.sqlite3*")) / 1e6


def _generate(work: Path, packages: int, cities: int) -> Path:
    """The secretariat and packages of one size (made once, then reused)."""
    folder = work / f"p{packages}-c{cities}"
    done = folder / "generated"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        subprocess.run([sys.executable, str(HERE / "generate_packages.py"), "--secretariat",
                        str(folder / "secretariat"), "--out", str(folder / "out"), "--devices", str(DEVICES),
                        "--packages", str(packages), "--cities", str(cities), "--seed", "1"],
                       check=True, stdout=subprocess.DEVNULL)
        done.write_text("ok\n")
    return folder


def _measure_size(work: Path, packages: int, cities: int, only_report: bool = False) -> dict[str, Measure]:
    folder = _generate(work, packages, cities)
    data = folder / "run"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(folder / "secretariat", data)
    out = folder / "out"
    files = folder / "files"
    shutil.rmtree(files, ignore_errors=True)
    files.mkdir()
    cli = [*_neascn(), "--data-dir", str(data)]
    subprocess.run([*cli, "trust", "add", *sorted(str(k) for k in (out / "keys").glob("*.key"))], check=True,
                   stdout=subprocess.DEVNULL)
    steps: list[tuple[str, list[str]]] = [
        ("import --dry-run", ["package", "import", "--dry-run", str(out / "packages")]),
        ("import", ["package", "import", str(out / "packages")]),
        ("re-import", ["package", "import", str(out / "packages")]),
        ("verify", ["package", "verify", str(out / "packages")]),
        ("stats", ["stats"]),
        ("conflicts list", ["conflicts", "list"]),
        ("CSV export", ["response", "export", "-o", str(files / "responses.csv")]),
        ("XLSX export", ["response", "export", "-o", str(files / "responses.xlsx")]),
        ("export all", ["package", "export", "--kind", "all", "--no-encrypt", "--full", "-o",
                        str(files / "all.neascn")]),
        ("readiness report", ["report", "readiness", "-o", str(files / "readiness.docx"), "--lang", "en"]),
    ]
    if only_report:  # the data is imported, the report measured
        steps = [s for s in steps if s[0] in ("import", "readiness report")]
    results: dict[str, Measure] = {}
    for name, args in steps:
        seconds, peak = _run_measured(_quiet([*cli, *args]))
        results[name] = Measure(seconds, peak, _db_mb(data))
        print(f"  {packages:>6} packages, {cities:>5} cities  {name:18s} {seconds:8.2f} s  "
              f"{peak:7.0f} MB peak  DB {results[name].db_mb:7.1f} MB", flush=True)
    shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(files, ignore_errors=True)
    return results


def _median(measures: list[Measure]) -> Measure:
    """The run of median time (its memory and database size with it)."""
    return sorted(measures, key=lambda m: m.seconds)[(len(measures) - 1) // 2]


def _exponent(small: tuple[int, float], large: tuple[int, float]) -> float | None:
    (n1, t1), (n2, t2) = small, large
    if t2 < FLOOR_SECONDS or t1 <= 0:
        return None
    return math.log(t2 / t1) / math.log(n2 / n1)


def _machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {platform.system()}; "
            f"load average {load:.1f} at the end")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 packages only")
    parser.add_argument("--sizes", help="package counts, comma-separated (default 100,1000,10000)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/neascn-scale"),
                        help="where the generated data is kept between runs (default /tmp/neascn-scale)")
    parser.add_argument("--readme", action="store_true", help="also print the README's table (Markdown)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of the whole sequence below 10,000 packages, medians kept (default 3)")
    parser.add_argument("--repeat-large", type=int, default=1,
                        help="runs of the whole sequence at 10,000 packages and more (default 1)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else (
        [100, 1000] if args.quick else [100, 1000, 10000])
    args.work.mkdir(parents=True, exist_ok=True)
    os.environ["NEASCN_SCALE_LOG"] = str(args.work / "commands.log")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())

    table: dict[int, dict[str, Measure]] = {}
    for n in sizes:
        runs = [_measure_size(args.work, n, 300) for _ in range(max(1, args.repeat_large if n >= 10000
                                                                 else args.repeat))]
        table[n] = {op: _median([r[op] for r in runs]) for op in runs[0]}
    cities_n = 1000 if 1000 in sizes else sizes[-1]
    by_cities = {300: table[cities_n]["readiness report"],
                 1000: _measure_size(args.work, cities_n, 1000, only_report=True)["readiness report"]}

    failures: list[str] = []
    lines = ["", f"{'operation':18s} " + " ".join(f"{n:>22,}" for n in sizes) + "   exponents"]
    exponents: dict[str, list[float | None]] = {}
    for op in OPERATIONS:
        cells = [f"{table[n][op].seconds:7.2f} s {table[n][op].peak_mb:5.0f} MB" for n in sizes]
        exps = [_exponent((a, table[a][op].seconds), (b, table[b][op].seconds)) for a, b in zip(sizes, sizes[1:], strict=False)]
        exponents[op] = exps
        lines.append(f"{op:18s} " + " ".join(f"{c:>22s}" for c in cells) + "   "
                     + ", ".join("-" if e is None else f"{e:.2f}" for e in exps))
        for e in exps:
            if e is not None and e > MAX_EXPONENT:
                failures.append(f"{op}: growth exponent {e:.2f} > {MAX_EXPONENT}")
    city_exp = _exponent((300, by_cities[300].seconds), (1000, by_cities[1000].seconds))
    lines.append(f"readiness report at {cities_n:,} packages: 300 cities {by_cities[300].seconds:.2f} s "
                 f"{by_cities[300].peak_mb:.0f} MB, 1,000 cities {by_cities[1000].seconds:.2f} s "
                 f"{by_cities[1000].peak_mb:.0f} MB, exponent "
                 + ("-" if city_exp is None else f"{city_exp:.2f}"))
    if city_exp is not None and city_exp > MAX_EXPONENT:
        failures.append(f"readiness report over cities: growth exponent {city_exp:.2f} > {MAX_EXPONENT} "
                        "(issue 17's budget)")
    lines.append("database after the import: " + ", ".join(
        f"{n:,} packages {table[n]['import'].db_mb:.1f} MB" for n in sizes))
    for n in sizes:
        row = table[n]
        share = row["re-import"].seconds / row["import"].seconds
        ratio = row["verify"].seconds / row["import --dry-run"].seconds
        checked = n >= 10000
        lines.append(f"budgets at {n:,} packages: re-import {share:.0%} of the import "
                     f"({'<=' if checked else 'at 10,000: <='} {REIMPORT_SHARE:.0%}), verify {ratio:.2f} x the dry "
                     f"run (<= {VERIFY_RATIO}), export all peak {row['export all'].peak_mb:.0f} MB "
                     f"({'<' if checked else 'at 10,000: <'} {EXPORT_ALL_MB:.0f} MB)")
        if ratio > VERIFY_RATIO:
            failures.append(f"verify {ratio:.2f} x the dry run at {n:,} packages")
        if checked and share > REIMPORT_SHARE:
            failures.append(f"re-import {share:.0%} of the import at {n:,} packages")
        if checked and row["export all"].peak_mb >= EXPORT_ALL_MB:
            failures.append(f"export all peaks at {row['export all'].peak_mb:.0f} MB at {n:,} packages")
    machine = _machine()
    lines.append(f"{started}; {machine}")
    print("\n".join(lines))
    if args.readme:
        print()
        print(f"| operation | {' | '.join(f'{n:,} packages' for n in sizes)} | growth exponent |")
        print("|---|" + "---|" * len(sizes) + "---|")
        for op in OPERATIONS:
            cells = [f"{table[n][op].seconds:.2f} s, {table[n][op].peak_mb:.0f} MB" for n in sizes]
            shown = ", ".join("–" if e is None else f"{e:.2f}" for e in exponents[op])
            print(f"| {op} | {' | '.join(cells)} | {shown} |")
        print(f"| readiness report, 1,000 cities ({cities_n:,} packages) | "
              + " | ".join([f"{by_cities[1000].seconds:.2f} s, {by_cities[1000].peak_mb:.0f} MB"]
                           + [""] * (len(sizes) - 1))
              + f" | {'–' if city_exp is None else f'{city_exp:.2f}'} (over cities) |")
        print("| database after the import | " + " | ".join(f"{table[n]['import'].db_mb:.1f} MB" for n in sizes)
              + " | |")
        print(f"\n{started}; {machine}.")
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    print("passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
