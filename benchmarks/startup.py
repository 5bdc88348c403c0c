"""Time from start to a visible main window: the source install against the frozen bundle.

    python benchmarks/startup.py                       # 5 runs each, median, ratio
    python benchmarks/startup.py --repeat 9 --frozen dist/neascn-desktop/neascn-desktop

Each run starts the program on a data directory that already has a profile (so
the main window, not the first-run dialog, opens) with
``NEASCN_STARTUP_PROBE=1``: the app prints the wall-clock time of the main
window's first paint and quits (``neascn_desktop.gui.app``).  The figure is
that time minus the moment this script started the process, so it includes
the Python interpreter (or the bundle's bootloader) starting, imports, opening
the database and painting.  Runs alternate source/frozen after one untimed
warm-up run of each (a cold disk cache would measure the disk, not the app).

Without ``DISPLAY`` an ``Xvfb`` server is started for the duration (a real X
server: the window is mapped and painted as on a desktop).  The budget: frozen
<= 1.5 x source; the exit status is 1 when it is exceeded.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_RATIO = 1.5
ROOT = Path(__file__).resolve().parent.parent
PROBE_PREFIX = "neascn-startup first-paint "


def _start_xvfb() -> tuple[subprocess.Popen[bytes], str] | None:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        return None
    for number in range(95, 120):
        if Path(f"/tmp/.X{number}-lock").exists():
            continue
        display = f":{number}"
        proc = subprocess.Popen([xvfb, display, "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                return proc, display
            time.sleep(0.1)
        proc.terminate()
    return None


def _time_once(command: list[str], env: dict[str, str], timeout: float) -> float:
    started = time.time()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    try:
        out, _err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise SystemExit(f"error: {command[0]} showed no window within {timeout:.0f} s") from None
    for line in out.splitlines():
        if line.startswith(PROBE_PREFIX):
            return float(line[len(PROBE_PREFIX):]) - started
    raise SystemExit(f"error: {command[0]} exited ({proc.returncode}) without painting a window")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each (default 5)")
    parser.add_argument("--source", default=str(Path(sys.executable).parent / "neascn-desktop"),
                        help="the source install's GUI command (default: beside this Python)")
    parser.add_argument("--frozen", default=str(ROOT / "dist" / "neascn-desktop" / "neascn-desktop"),
                        help="the bundle's GUI executable")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)

    for label, path in (("source", args.source), ("frozen", args.frozen)):
        if not Path(path).is_file():
            parser.error(f"the {label} program {path} does not exist")

    xvfb = None
    env = dict(os.environ)
    if not env.get("DISPLAY") and env.get("QT_QPA_PLATFORM") != "offscreen":
        xvfb = _start_xvfb()
        if xvfb is None:
            parser.error("no DISPLAY and no Xvfb: set DISPLAY or QT_QPA_PLATFORM=offscreen")
        env["DISPLAY"] = xvfb[1]
    tmp = Path(tempfile.mkdtemp(prefix="neascn-startup-"))
    try:
        data_dir = tmp / "data"
        env.update({"NEASCN_STARTUP_PROBE": "1", "XDG_CONFIG_HOME": str(tmp / "config"),
                    "XDG_CACHE_HOME": str(tmp / "cache")})
        env.pop("NEASCN_DATABASE_URL", None)
        subprocess.run([sys.executable, "-m", "neascn_desktop.cli", "--data-dir", str(data_dir),
                        "init", "--name", "Startup Bench", "--role", "secretariat"],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        commands = {
            "source": [args.source, "--data-dir", str(data_dir)],
            "frozen": [args.frozen, "--data-dir", str(data_dir)],
        }
        times: dict[str, list[float]] = {"source": [], "frozen": []}
        for command in commands.values():  # warm-up: disk cache, font cache, settings file
            _time_once(command, env, args.timeout)
        for _ in range(args.repeat):
            for label, command in commands.items():
                times[label].append(_time_once(command, env, args.timeout))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if xvfb is not None:
            xvfb[0].terminate()
            xvfb[0].wait()

    medians = {label: statistics.median(values) for label, values in times.items()}
    for label, values in times.items():
        runs = " ".join(f"{v:.2f}" for v in values)
        print(f"{label:7s} median {medians[label]:.2f} s  (runs: {runs})")
    ratio = medians["frozen"] / medians["source"]
    verdict = "within" if ratio <= BUDGET_RATIO else "OVER"
    print(f"ratio frozen/source {ratio:.2f} ({verdict} the budget of {BUDGET_RATIO})")
    return 0 if ratio <= BUDGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
