"""Where the processor time of the secretariat import goes, measured without a profiler.

    python benchmarks/generate_packages.py --secretariat DATA_DIR --out DIR --devices 20 --packages 1000 --seed 1
    python benchmarks/import_phases.py --secretariat DATA_DIR --dir DIR [--rounds 5]

DATA_DIR is not changed: the senders' key cards are trusted in a copy of it (``neascn trust
add``, as in ``import_packages.py``), and every round imports ``DIR/packages`` into a fresh copy
of that, in this process, through the CLI's own ``main`` (``package import``).

Why not cProfile: it charges every Python-level call with its own overhead, so code made of
many small calls looks several times dearer than it is (it showed the authority checks at
0.54 s of processor time where they take under 0.2 s).  Here a few functions are wrapped with
the thread's CPU clock (``time.thread_time``): each phase is inclusive, on the importing
thread; the attachments are written by a second thread (``process`` counts both).

Every other round imports with the authority checks switched off (``Authority.check_package``
replaced by a no-op in this process only), so that the difference is what the checks cost in
all, look-ups and allocations included.  The cost of starting a command (the interpreter,
SQLAlchemy, this app's modules) is measured in fresh processes; the timed pair of
``import_packages.py`` pays it twice.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from neascn_desktop.cli import main as cli_main
from neascn_desktop.store import attachments
from neascn_desktop.sync import applying, authority, package_reader, payload, reading, record_schema
from neascn_desktop.sync.package_reader import PackageReader

#: (label, owner, attribute): the functions timed, looked up where their callers find them.
PHASES: list[tuple[str, Any, str]] = [
    ("read, verify, decrypt, decode", applying, "read_judged"),
    ("  open_package (ZIP, manifest, signature, member hashes)", reading, "open_package"),
    ("    signed manifest (parse, Ed25519)", package_reader, "_signed_manifest"),
    ("  decryption key (X25519, HKDF)", PackageReader, "decryption_key"),
    ("  payload.decode (JSON, ids recomputed)", payload, "decode"),
    ("apply (one transaction per batch)", applying, "_apply_together"),
    ("  preview (_load_state, _classify)", applying, "_load_state"),
    ("  preview (_load_state, _classify)", applying, "_classify"),
    ("  authority checks (check_package)", authority.Authority, "check_package"),
    ("    answers against their survey", record_schema, "check_answers"),
    ("    payload shapes", record_schema, "check_payload"),
    ("  revision log (add_revisions)", applying, "add_revisions"),
    ("  attachments published", attachments, "publish"),
]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _start_up_cpu(code: str, repeat: int = 3) -> float:
    """Median processor time of a fresh interpreter running ``code``."""
    measured = []
    for _ in range(repeat):
        before = _children_cpu()
        subprocess.run([sys.executable, "-c", code], check=True)
        measured.append(_children_cpu() - before)
    return statistics.median(measured)


class Clocks:
    """Thread CPU per phase, inclusive (a recursive call is not counted twice)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self._active: set[str] = set()

    def wrap(self, label: str, owner: Any, name: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if label in self._active:
                return original(*args, **kwargs)
            self._active.add(label)
            started = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[label] = self.spent.get(label, 0.0) + time.thread_time() - started
                self._active.discard(label)

        setattr(owner, name, timed)


def _import_once(trusted: Path, packages: Path, scratch: Path, number: int) -> tuple[float, float]:
    """(thread CPU, process CPU) of one ``package import`` into a fresh copy of ``trusted``."""
    target = scratch / f"run-{number}"
    shutil.copytree(trusted, target)
    authority._STORED_DEFINITIONS.clear()  # each round parses its definitions, like a new process
    thread, process = time.thread_time(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        status = cli_main(["--data-dir", str(target), "package", "import", str(packages)])
    thread, process = time.thread_time() - thread, time.process_time() - process
    shutil.rmtree(target)
    if status != 0:
        raise SystemExit(f"package import failed ({status})")
    return thread, process


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secretariat", type=Path, required=True, help="secretariat data directory (not changed)")
    parser.add_argument("--dir", type=Path, required=True, help="the --out folder of generate_packages.py")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, each with and without the checks")
    args = parser.parse_args(argv)

    keys = sorted(str(p) for p in (args.dir / "keys").glob("*.key"))
    packages = args.dir / "packages"
    count = len(list(packages.glob("*.neascn")))
    checked: list[tuple[float, float]] = []
    unchecked: list[tuple[float, float]] = []
    phases: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="neascn-phases-", dir=args.secretariat.parent) as folder:
        scratch = Path(folder)
        trusted = scratch / "trusted"
        shutil.copytree(args.secretariat, trusted)
        with contextlib.redirect_stdout(io.StringIO()):
            if cli_main(["--data-dir", str(trusted), "trust", "add", *keys]) != 0:
                raise SystemExit("trust add failed")
        _import_once(trusted, packages, scratch, 0)  # warm-up: this process's first imports of modules
        clocks = Clocks()
        for label, owner, name in PHASES:
            clocks.wrap(label, owner, name)
        timed_check = authority.Authority.check_package
        number = 0
        for round_no in range(max(1, args.rounds)):
            for off in ((False, True) if round_no % 2 == 0 else (True, False)):
                number += 1
                if off:
                    authority.Authority.check_package = lambda *_args, **_kwargs: None  # type: ignore[method-assign]
                    try:
                        unchecked.append(_import_once(trusted, packages, scratch, number))
                    finally:
                        authority.Authority.check_package = timed_check  # type: ignore[method-assign]
                else:
                    clocks.spent = {}
                    checked.append(_import_once(trusted, packages, scratch, number))
                    phases.append(dict(clocks.spent))
                print(f"  round {round_no + 1} checks {'off' if off else 'on '}: "
                      f"{(unchecked if off else checked)[-1][0]:.3f} s thread CPU", flush=True)

    python_alone = _start_up_cpu("pass")
    sqlalchemy_alone = _start_up_cpu("import sqlalchemy")
    import_command = _start_up_cpu("import neascn_desktop.cli.package, neascn_desktop.sync.importer")

    def median(values: list[float]) -> float:
        return statistics.median(values)

    thread_on, thread_off = median([t for t, _p in checked]), median([t for t, _p in unchecked])
    process_on, process_off = median([p for _t, p in checked]), median([p for _t, p in unchecked])
    figures: dict[str, Any] = {
        "packages": count, "rounds": len(checked),
        "import_thread_cpu_s": round(thread_on, 3), "import_process_cpu_s": round(process_on, 3),
        "phases_thread_cpu_s": {label: round(median([p.get(label, 0.0) for p in phases]), 3)
                                for label, _owner, _name in PHASES},
        "checks_off_thread_cpu_s": round(thread_off, 3), "checks_off_process_cpu_s": round(process_off, 3),
        "start_up_cpu_s": {"python": round(python_alone, 3), "python + sqlalchemy": round(sqlalchemy_alone, 3),
                           "python + the import command's modules": round(import_command, 3)},
        "load_average_1min": round(os.getloadavg()[0], 2), "cpu_count": os.cpu_count(),
    }
    print(f"package import of {count} packages in this process, {len(checked)} rounds with the checks and "
          f"{len(unchecked)} without, interleaved; medians of thread CPU (the importing thread)")
    print(f"{'import (whole)':60s} {thread_on:6.3f} s  ({process_on:.3f} s with the attachment writer)")
    for label, seconds in figures["phases_thread_cpu_s"].items():
        print(f"{label:60s} {seconds:6.3f} s  {100 * seconds / thread_on:4.1f} %")
    print(f"{'the same import with the authority checks switched off':60s} {thread_off:6.3f} s  "
          f"({process_off:.3f} s): the checks cost {thread_on - thread_off:.3f} s "
          f"({process_on - process_off:.3f} s)")
    print(f"starting a command: python {python_alone:.3f} s, + sqlalchemy {sqlalchemy_alone:.3f} s, "
          f"+ the import command's modules {import_command:.3f} s CPU")
    print(f"load average (1 min): {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
