"""Compare ways of reading packages on the whole secretariat import, in interleaved runs.

    python benchmarks/generate_packages.py --secretariat DATA_DIR --out DIR --devices 20 --packages 1000 --seed 1
    python benchmarks/reader_paths.py --secretariat DATA_DIR --dir DIR --rounds 7 \
        --variant "before=PYTHONPATH=/tmp/old-checkout" --variant "after=PYTHONPATH=/tmp/new-checkout"

A mechanism added for speed stays only where it pays on the whole import, so
this times exactly what a secretariat runs, ``neascn package import DIR/packages``
(a separate process, start-up included), into a fresh copy
of DATA_DIR after ``neascn trust add DIR/keys/*.key`` (not timed).  Each
*variant* is the same command under other environment variables:

- ``--variant NAME=VAR=VALUE[,VAR=VALUE]`` (repeatable; ``NAME=`` for the
  environment as it is): two versions of the code, for
  example, as ``--variant "before=PYTHONPATH=/tmp/old-checkout"
  --variant "after=PYTHONPATH=/tmp/new-checkout"`` (copies of the source tree,
  which come before the installed package on ``sys.path``).  The hand-written
  ZIP member reader was measured (and removed) that way, and the forked
  read-ahead workers (``NEASCN_READ_WORKERS`` unset against ``=0``; removed in
  issue 19: within the noise, 11 % more CPU).

The machine is shared and its speed drifts, so the variants run interleaved:
one run of each per round, the order rotated each round (A B, B A, A B, ...) so
that neither always follows the other; the copies are deleted only at the end
(deleting many files slows the next file creations on some file systems).
Printed per variant: the median wall and CPU seconds (CPU of the import process
and its reading workers) and their range; per pair, the median of the
per-round ratios (a ratio of two runs made a few seconds apart) and its range.
A difference smaller than that range is noise.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _neascn() -> list[str]:
    script = Path(sys.executable).with_name("neascn.exe" if os.name == "nt" else "neascn")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "neascn_desktop.cli"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and the children it waited for) of one command."""
    cpu = _children_cpu()
    start = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"failed ({result.returncode}): {' '.join(args[:6])} ...")
    return elapsed, _children_cpu() - cpu


def _parse_variant(text: str) -> tuple[str, dict[str, str]]:
    name, _sep, assignments = text.partition("=")
    env: dict[str, str] = {}
    for item in filter(None, assignments.split(",")):
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--variant {text!r}: expected NAME=VAR=VALUE[,VAR=VALUE]")
        env[key] = value
    return name, env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secretariat", type=Path, required=True, help="secretariat data directory (not changed)")
    parser.add_argument("--dir", type=Path, required=True, help="the --out folder of generate_packages.py")
    parser.add_argument("--variant", action="append", default=[], help="NAME=VAR=VALUE[,VAR=VALUE]")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each variant (default 5)")
    parser.add_argument("--figures", type=Path, help="also append the figures (JSON) to this file")
    args = parser.parse_args(argv)

    variants = [_parse_variant(v) for v in args.variant]
    if len(variants) < 2:
        parser.error("give at least two --variant")
    keys = sorted(str(p) for p in (args.dir / "keys").glob("*.key"))
    packages = args.dir / "packages"
    count = len(list(packages.glob("*.neascn")))
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name, _env in variants}
    with tempfile.TemporaryDirectory(prefix="neascn-paths-", dir=args.secretariat.parent) as scratch:
        number = 0
        for round_no in range(max(1, args.rounds)):
            shift = round_no % len(variants)
            for name, extra in variants[shift:] + variants[:shift]:
                number += 1
                target = Path(scratch) / f"run-{number}"
                shutil.copytree(args.secretariat, target)
                env = {**os.environ, **extra}
                data = ["--data-dir", str(target)]
                _run([*_neascn(), *data, "trust", "add", *keys], env)
                wall, cpu = _run([*_neascn(), *data, "package", "import", str(packages)], env)
                runs[name].append((wall, cpu))
                print(f"  round {round_no + 1} {name}: {wall:.3f} s ({cpu:.3f} s CPU)", flush=True)

    print(f"package import of {count} packages, {args.rounds} interleaved rounds; "
          f"load average now {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    figures: dict[str, object] = {"packages": count, "rounds": args.rounds, "variants": {}}
    for name, measured in runs.items():
        walls, cpus = [w for w, _c in measured], [c for _w, c in measured]
        figures["variants"][name] = {  # type: ignore[index]
            "wall_median_s": round(statistics.median(walls), 3), "wall_range_s": [round(min(walls), 3), round(max(walls), 3)],
            "cpu_median_s": round(statistics.median(cpus), 3), "cpu_range_s": [round(min(cpus), 3), round(max(cpus), 3)],
        }
        print(f"{name:40s} wall {statistics.median(walls):.3f} s median ({min(walls):.3f}-{max(walls):.3f}); "
              f"CPU {statistics.median(cpus):.3f} s ({min(cpus):.3f}-{max(cpus):.3f})")
    base_name = variants[0][0]
    base = runs[base_name]
    for name, measured in list(runs.items())[1:]:
        wall_ratios = [b[0] / a[0] for a, b in zip(base, measured, strict=True)]
        cpu_ratios = [b[1] / a[1] for a, b in zip(base, measured, strict=True)]
        figures[f"{name} / {base_name}"] = {
            "wall_ratio_median": round(statistics.median(wall_ratios), 3),
            "wall_ratio_range": [round(min(wall_ratios), 3), round(max(wall_ratios), 3)],
            "cpu_ratio_median": round(statistics.median(cpu_ratios), 3),
            "cpu_ratio_range": [round(min(cpu_ratios), 3), round(max(cpu_ratios), 3)],
        }
        print(f"{name} / {base_name}: wall x{statistics.median(wall_ratios):.3f} "
              f"(per round {min(wall_ratios):.3f}-{max(wall_ratios):.3f}), CPU x{statistics.median(cpu_ratios):.3f} "
              f"({min(cpu_ratios):.3f}-{max(cpu_ratios):.3f})")
    print(json.dumps(figures))
    if args.figures:
        with args.figures.open("a", encoding="utf-8") as handle:
            handle.write("\n```json\n" + json.dumps(figures, indent=2) + "\n```\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
