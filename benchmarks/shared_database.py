"""A secretariat team on PostgreSQL: the import compared with SQLite, and two members racing.

    python benchmarks/shared_database.py --server URL [--packages 1000] [--runs 3]
    python benchmarks/shared_database.py --server URL --race 20 --packages 300

``--server`` is a PostgreSQL server URL on which throwaway databases are created and dropped
(e.g. ``postgresql+psycopg://postgres@/postgres?host=/tmp/pg``).  Packages are generated once
(``generate_packages.py``, 20 devices) for a secretariat created in a temporary folder.

Speed (default): the timed command is ``neascn package import DIR`` (a separate process,
start-up included), run ``--runs`` times into a fresh copy of the secretariat's SQLite file and
into a fresh PostgreSQL database holding the same copy (``neascn db copy --to``); printed are
the medians and their ratio (budget: PostgreSQL <= 1.5 x SQLite).

Race (``--race N``): two members on two data directories (the second joined the team and was
added) import the same packages at the same moment into a fresh PostgreSQL database, N rounds.
Each round passes if both exit 0 with no traceback, every package is applied by exactly one
of them, and the digest equals that of the same packages imported into SQLite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

BUDGET_RATIO = 1.5
HERE = Path(__file__).resolve().parent


def _neascn(data_dir: Path, *args: str, url: str | None = None) -> list[str]:
    return [sys.executable, "-m", "neascn_desktop.cli", "--data-dir", str(data_dir), *args]


def _env(url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("NEASCN_DATABASE_URL", None)
    if url:
        env["NEASCN_DATABASE_URL"] = url
    return env


def _run(args: list[str], url: str | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, env=_env(url), check=False)
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(args[3:8])}\n{done.stderr}")
    return done.stdout


class Server:
    def __init__(self, url: str) -> None:
        self.url = url
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")

    def new_database(self) -> str:
        name = f"neascn_bench_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _fresh_copy(clean: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(clean, target)
    return target


def speed(server: Server, clean: Path, packages: Path, work: Path, runs: int) -> int:
    sqlite_s: list[float] = []
    postgres_s: list[float] = []
    for run in range(runs):
        folder = _fresh_copy(clean, work / "sqlite")
        start = time.perf_counter()
        _run(_neascn(folder, "package", "import", str(packages)))
        sqlite_s.append(time.perf_counter() - start)
        digest = json.loads(_run(_neascn(folder, "--json", "stats")))["digest"]

        url = server.new_database()
        try:
            folder = _fresh_copy(clean, work / "postgres")
            _run(_neascn(folder, "db", "copy", "--to", url))
            start = time.perf_counter()
            _run(_neascn(folder, "package", "import", str(packages)), url)
            postgres_s.append(time.perf_counter() - start)
            other = json.loads(_run(_neascn(folder, "--json", "stats"), url))["digest"]
        finally:
            server.drop(url)
        if other != digest:
            raise SystemExit(f"run {run + 1}: the digests differ ({digest} on SQLite, {other} on PostgreSQL)")
        print(f"run {run + 1}: SQLite {sqlite_s[-1]:.1f} s, PostgreSQL {postgres_s[-1]:.1f} s", flush=True)
    ratio = statistics.median(postgres_s) / statistics.median(sqlite_s)
    print(json.dumps({"runs": runs, "sqlite_s": round(statistics.median(sqlite_s), 2),
                      "postgresql_s": round(statistics.median(postgres_s), 2), "ratio": round(ratio, 2),
                      "budget_ratio": BUDGET_RATIO, "within_budget": ratio <= BUDGET_RATIO}, indent=2))
    return 0


def race(server: Server, clean: Path, member: Path, packages: Path, work: Path, rounds: int) -> int:
    reference = _fresh_copy(clean, work / "reference")
    _run(_neascn(reference, "package", "import", str(packages)))
    expected = json.loads(_run(_neascn(reference, "--json", "stats")))["digest"]
    count = len(list(packages.iterdir()))
    failures = 0
    for number in range(1, rounds + 1):
        url = server.new_database()
        try:
            _run(_neascn(clean, "db", "copy", "--to", url))
            started = [subprocess.Popen(_neascn(folder, "--json", "package", "import", str(packages)),
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env=_env(url)) for folder in (clean, member)]
            results = [(p, *p.communicate()) for p in started]
            problems = [f"exit {p.returncode}: {err.strip()[-300:]}" for p, _out, err in results
                        if p.returncode != 0 or "Traceback" in err]
            if not problems:
                statuses = [[o["status"] for o in json.loads(out)["packages"]] for _p, out, _err in results]
                applied = sum(s.count("applied") for s in statuses)
                if applied != count:
                    problems.append(f"{applied} packages applied instead of {count}")
                digest = json.loads(_run(_neascn(clean, "--json", "stats"), url))["digest"]
                if digest != expected:
                    problems.append(f"digest {digest} instead of {expected}")
        finally:
            server.drop(url)
        failures += bool(problems)
        print(f"round {number}: {'ok' if not problems else '; '.join(problems)}", flush=True)
    print(json.dumps({"rounds": rounds, "packages": count, "failures": failures}))
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True, help="PostgreSQL server URL (throwaway databases)")
    parser.add_argument("--packages", type=int, default=1000)
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--race", type=int, default=0, metavar="ROUNDS")
    args = parser.parse_args(argv)
    server = Server(args.server)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        clean, member = work / "secretariat", work / "member"
        subprocess.run([sys.executable, str(HERE / "generate_packages.py"), "--secretariat", str(clean),
                        "--out", str(work / "field"), "--devices", str(args.devices), "--packages",
                        str(args.packages), "--seed", "1"], check=True, capture_output=True, env=_env(None))
        _run(_neascn(clean, "trust", "add", *map(str, sorted((work / "field" / "keys").iterdir()))))
        packages = work / "field" / "packages"
        if not args.race:
            return speed(server, clean, packages, work, args.runs)
        # The second member: joins the team (on the SQLite file the rounds copy) and is added.
        sqlite_url = make_url(f"sqlite:///{clean / 'neascn.sqlite3'}").render_as_string()
        asked = json.loads(_run(_neascn(member, "--json", "join", sqlite_url, "--name", "Second member")))
        _run(_neascn(clean, "member", "add", asked["member_id"]))
        _run(_neascn(member, "member", "list"))  # unwraps the team keys into its keys/
        return race(server, clean, member, packages, work, args.race)


if __name__ == "__main__":
    raise SystemExit(main())
