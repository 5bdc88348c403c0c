"""``neascn --self-test``, and the headless part of ``neascn-desktop --self-test``: is this install whole?

A broken PyInstaller bundle — a data folder left out, a module trimmed too
far, Babel's locale data missing — fails only when someone opens the feature
that needs it.  The self-test uses each of them once, in a temporary folder
that it removes.  These checks need no Qt (the GUI adds ``qt`` and ``forms``,
``gui/selftest.py``):

- ``migrations``: a profile's database is created at the first Alembic revision,
  then upgraded to the head (with the backup copy), and a profile is created;
- ``catalogs``: every language's catalog translates a known text, and Babel
  formats a number and a date in it;
- ``package``: a secretariat and a field laptop in two folders exchange key
  cards and a deployment; the field laptop's demo responses are exported
  (encrypted) and imported at the secretariat;
- ``report``: the secretariat writes a status report in Korean and a readiness
  report in Japanese (with their charts) and python-docx opens them; ``spreadsheet``: the responses go to an ``.xlsx``
  that openpyxl reads back.

Each check prints one line; the exit status is 0 when all pass, 1 otherwise
(the failing check is named, with the reason).  The same run is part of the
normal test suite (``tests/gui/test_selftest.py``).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

#: A text every catalog translates (the navigation label of the framework workspace).
KNOWN_MSGID = "Framework"
DEMO_CITIES = 2


class SelfTestFailure(Exception):
    """One check found the install incomplete; the text says what is missing."""


@dataclass
class Run:
    """State shared by the checks: the temporary folder and the two profiles' databases."""

    root: Path
    databases: dict[str, Any] = field(default_factory=dict)
    profiles: dict[str, Any] = field(default_factory=dict)
    app: Any = None

    def open(self, name: str, target: str = "head") -> Any:
        from neascn_desktop.store import open_database
        from neascn_desktop.store.database import DB_FILENAME, sqlite_url

        folder = self.root / name
        # An explicit URL: the self-test never touches NEASCN_DATABASE_URL's database.
        db = open_database(folder, url=sqlite_url(folder / DB_FILENAME), target=target)
        self.databases[name] = db
        return db

    def close(self) -> None:
        for db in self.databases.values():
            db.dispose()
        self.databases.clear()


def require(condition: object, message: str) -> None:
    if not condition:
        raise SelfTestFailure(message)


def check_migrations(run: Run) -> str:
    from alembic.script import ScriptDirectory

    from neascn_desktop.identity.profile import create_profile, load_profile
    from neascn_desktop.store.database import alembic_config, current_revision, head_revision

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    revisions = list(script.walk_revisions())
    require(len(revisions) >= 2, f"only {len(revisions)} migration scripts found")
    first = revisions[-1].revision
    db = run.open("secretariat", target=first)
    require(current_revision(db.engine) == first, "the first migration did not run")
    db.dispose()
    db = run.open("secretariat")  # upgrade an existing database: backup, then every step
    require(current_revision(db.engine) == head_revision(), "the database is not at the head revision")
    require(db.backup_path is not None and Path(db.backup_path).is_file(), "no backup before upgrading")
    run.profiles["secretariat"] = create_profile(db, name="Self-test secretariat", role="secretariat",
                                                 organisation="NEASCN", language="en")
    field_db = run.open("field")
    run.profiles["field"] = create_profile(field_db, name="Self-test field", role="field",
                                           organisation="NEASCN", language="ko")
    require(load_profile(db) is not None and load_profile(field_db) is not None, "profiles not saved")
    return f"{len(revisions)} revisions up to {head_revision()}, 2 profiles"


def check_catalogs(run: Run) -> str:
    from datetime import date

    from neascn_desktop.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalog
    from neascn_desktop.i18n.formatting import format_date, format_number
    from neascn_desktop.paths import translations_dir

    for code in LANGUAGES:
        if code != DEFAULT_LANGUAGE:
            po = translations_dir() / code / "LC_MESSAGES" / "messages.po"
            require(po.is_file(), f"the {code} catalog is missing ({po})")
            text = catalog(code).gettext(KNOWN_MSGID)
            require(text and text != KNOWN_MSGID, f"the {code} catalog does not translate {KNOWN_MSGID!r}")
        number = format_number(1234567.5, code, digits=1)
        day = format_date(date(2026, 3, 1), code, format="long")
        require(any(ch.isdigit() for ch in number) and "2026" in day,
                 f"Babel cannot format in {code}: {number!r}, {day!r}")
    return f"{len(LANGUAGES)} languages"


def check_package(run: Run) -> str:
    from neascn_desktop.identity.trust import export_keycard, read_keycard, trust_keycard
    from neascn_desktop.surveys.demo import load_demo
    from neascn_desktop.surveys.service import list_submissions
    from neascn_desktop.sync import export_package, import_packages

    require(run.profiles, "no profiles (the migrations check failed)")
    sec, field_db = run.databases["secretariat"], run.databases["field"]
    field_profile = run.profiles["field"]
    folder = run.root / "exchange"
    folder.mkdir()

    field_card = folder / "field.key"
    export_keycard(field_db, field_profile, field_card)
    trust_keycard(sec, read_keycard(field_card))

    deployment = export_package(sec, "deployment", folder / "deployment.neascn")
    report = import_packages(field_db, [deployment.path])  # trusts the secretariat on first use
    require(report.exit_code == 0, f"the deployment was not applied: {report.summary}")

    load_demo(field_db, field_profile, cities=DEMO_CITIES)
    responses = export_package(field_db, "responses", folder / "responses.neascn")
    require(responses.recipient is not None, "the responses package is not encrypted for the secretariat")
    report = import_packages(sec, [responses.path])
    require(report.exit_code == 0 and report.count("applied") == 1,
             f"the responses package was not applied: {report.summary}")
    count = len(list_submissions(sec))
    require(count >= 1, "no submissions arrived at the secretariat")
    return f"{deployment.revisions} + {responses.revisions} revisions, {count} submissions imported"


def check_report(run: Run) -> str:
    import docx

    from neascn_desktop.i18n import translate_in
    from neascn_desktop.reports.service import build_report

    require("secretariat" in run.databases, "no secretariat database (an earlier check failed)")
    path = run.root / "status-ko.docx"
    result = build_report(run.databases["secretariat"], "status", path, language="ko")
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    title = translate_in("ko", "Survey Collection Status")
    require(title in texts, f"the report has no title {title!r}")
    require(result.figures >= 1 and document.inline_shapes, "the report has no chart")
    # The readiness report: radar charts with CJK labels, the questionnaire annex.
    readiness_path = run.root / "readiness-ja.docx"
    readiness = build_report(run.databases["secretariat"], "readiness", readiness_path, language="ja")
    require(readiness.figures >= 1 and docx.Document(str(readiness_path)).inline_shapes,
             "the readiness report has no chart")
    return (f"status {path.stat().st_size // 1024} KiB ({result.figures} charts), "
            f"readiness {readiness_path.stat().st_size // 1024} KiB ({readiness.figures} charts)")


def check_spreadsheet(run: Run) -> str:
    from openpyxl import load_workbook

    from neascn_desktop.reports.data_export import export_responses

    require("secretariat" in run.databases, "no secretariat database (an earlier check failed)")
    path = run.root / "responses.xlsx"
    result = export_responses(run.databases["secretariat"], path, "xlsx", language="ru")
    book = load_workbook(path, read_only=True)
    try:
        rows = sum(1 for _row in book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    require(result.rows >= 1 and rows >= 2, "the spreadsheet has no rows")
    return f"{result.rows} rows"


HEADLESS_CHECKS: tuple[tuple[str, Callable[[Run], str]], ...] = (
    ("migrations", check_migrations),
    ("catalogs", check_catalogs),
    ("package", check_package),
    ("report", check_report),
    ("spreadsheet", check_spreadsheet),
)


def _output() -> TextIO | None:
    # A windowed Windows executable has no console: sys.stdout is None there.
    return sys.stdout if sys.stdout is not None else sys.stderr


def run_self_test(
    out: TextIO | None = None,
    verbose: bool = False,
    checks: Sequence[tuple[str, Callable[[Run], str]]] = HEADLESS_CHECKS,
) -> int:
    """Run ``checks`` (default: all), print one line each; 0 when all passed, 1 otherwise."""
    # Before Qt starts (the GUI's checks): no display needed, and nothing of the user's may be touched.
    previous_platform = os.environ.get("QT_QPA_PLATFORM")
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    out = out if out is not None else _output()

    def say(line: str) -> None:
        if out is not None:
            out.write(line + "\n")
            out.flush()

    from neascn_desktop import __version__
    from neascn_desktop.i18n import current_language, set_language

    frozen = "bundle" if getattr(sys, "frozen", False) else "source"
    say(f"NEASCN Desktop {__version__} self-test ({frozen}, Python {sys.version.split()[0]})")
    previous_language = current_language()
    root = Path(tempfile.mkdtemp(prefix="neascn-selftest-"))
    run = Run(root)
    failed: list[str] = []
    started = time.perf_counter()
    try:
        set_language("en")
        for name, check in checks:
            t0 = time.perf_counter()
            try:
                detail = check(run)
            except Exception as exc:  # noqa: BLE001 - every failure is reported, then the next check
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                say(f"FAIL {name}: {type(exc).__name__}: {reason}")
                if verbose or not isinstance(exc, SelfTestFailure):
                    say("".join(traceback.format_exception(exc)).rstrip())
                failed.append(name)
            else:
                say(f"ok   {name}: {detail} ({time.perf_counter() - t0:.1f} s)")
    finally:
        run.close()
        set_language(previous_language)
        shutil.rmtree(root, ignore_errors=True)
        if previous_platform is None:
            os.environ.pop("QT_QPA_PLATFORM", None)
        else:
            os.environ["QT_QPA_PLATFORM"] = previous_platform
    elapsed = time.perf_counter() - started
    if failed:
        say(f"self-test FAILED ({', '.join(failed)}) in {elapsed:.1f} s")
        return 1
    say(f"self-test passed: {len(checks)} checks in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_self_test(verbose="-v" in sys.argv))
