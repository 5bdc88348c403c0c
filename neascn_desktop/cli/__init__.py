"""The headless front end: ``neascn [--data-dir DIR] [--json] [--lang LANG] COMMAND``.

Each room's commands live in a module of this package with a
``register(subparsers)`` function; every command is a function
``(ctx, args) -> int`` that calls the same use-case functions as the GUI.
Errors are one line on stderr with exit status 2 (bad usage or input), never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from neascn_desktop import __version__
from neascn_desktop.errors import NeascnError
from neascn_desktop.i18n import LANGUAGES, _, normalize_language, set_language

#: Modules of this package that contribute commands, in help order.
COMMAND_MODULES = ["foundation", "survey", "package", "check", "framework", "report", "team"]
#: Which modules a command needs, so that one command does not import every room (start-up
#: time matters: the secretariat scripts many calls).  Unknown commands load everything.
COMMAND_HOMES: dict[str, tuple[str, ...]] = {
    "init": ("foundation",),
    "trust": ("foundation",),
    "stats": ("foundation",),
    "key": ("foundation", "package"),
    "survey": ("survey",),
    "city": ("survey",),
    "response": ("survey",),
    "demo": ("survey",),
    "package": ("package",),
    "inbox": ("package",),
    "conflicts": ("package",),
    "audit": ("package",),
    "undo": ("package",),
    "check": ("check",),
    "framework": ("framework",),
    "report": ("report",),
    "db": ("team",),
    "join": ("team",),
    "member": ("team",),
}

Handler = Callable[["CliContext", argparse.Namespace], int]


class CliUsageError(NeascnError):
    """Bad usage of a command (exit status 2)."""


@dataclass
class CliContext:
    """What every command gets: the data directory, output mode and a lazily opened database."""

    data_dir: Path | None
    json: bool
    _db: Any = field(default=None, repr=False)

    @property
    def folder(self) -> Path:
        """The data directory in use (``--data-dir``, or the default one)."""
        from neascn_desktop.paths import default_data_dir

        return self.data_dir or default_data_dir()

    @property
    def db(self):
        if self._db is None:
            from neascn_desktop.store import open_database

            self._db = open_database(self.folder)
            from neascn_desktop.paths import MEMBER_KEY_FILE

            if (self.folder / MEMBER_KEY_FILE).exists():  # a member of a team: fetch new team keys
                from neascn_desktop.team.members import refresh_team_keys

                refresh_team_keys(self._db)
        return self._db

    def profile(self, required: bool = True):
        from neascn_desktop.identity.profile import load_profile

        profile = load_profile(self.db)
        if profile is None and required:
            raise CliUsageError(_("No profile yet: run 'neascn init' first."))
        return profile

    def print_json(self, value: Any) -> None:
        json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=_json_default)
        sys.stdout.write("\n")

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        label = _("error")  # not inside the f-string: extraction cannot see into f-strings
        sys.stderr.write(f"{self.prog}: {label}: {message}\n")
        raise SystemExit(2)


def _preparse(argv: Sequence[str]) -> argparse.Namespace:
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--data-dir", type=Path)
    pre.add_argument("--lang")
    pre.add_argument("--json", action="store_true")
    pre.add_argument("--version", action="store_true")
    pre.add_argument("-h", "--help", action="store_true")
    pre.add_argument("command", nargs="?")
    try:
        known, _rest = pre.parse_known_args(list(argv))
    except SystemExit:  # malformed global options: the full parser reports them
        known = argparse.Namespace(data_dir=None, lang=None, command=None)
    return known


def _choose_language(data_dir: Path | None, lang: str | None) -> None:
    """``--lang`` wins; otherwise the profile's language, if a database exists already.

    The profile is read through the identity room on whatever database the data
    directory uses (``NEASCN_DATABASE_URL`` included), without migrating it, and
    from a SQLite file without loading SQLAlchemy where it can; a SQLite file that
    does not exist yet is not created.
    """
    if lang:
        set_language(lang)
        return
    from neascn_desktop.identity.profile_file import stored_language
    from neascn_desktop.paths import DATABASE_URL_FILE, DB_FILENAME, default_data_dir

    folder = data_dir or default_data_dir()
    # Without SQLAlchemy where the file allows it: commands that never load the ORM start faster.
    language = stored_language(folder)
    if language is not None:
        set_language(language)
        return
    if (not os.environ.get("NEASCN_DATABASE_URL") and not (folder / DB_FILENAME).exists()
            and not (folder / DATABASE_URL_FILE).exists()):
        return
    from neascn_desktop.identity.profile import load_profile
    from neascn_desktop.store import open_database

    try:
        db = open_database(folder, migrate=False)
        try:
            profile = load_profile(db)
        finally:
            db.dispose()
    except Exception:  # noqa: BLE001 - only the language is at stake; the command reports a bad database
        return
    if profile is not None:
        set_language(profile.language)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or (given ``command``) one with only the modules that command needs."""
    from neascn_desktop.cli.argparse_messages import install

    install()
    parser = _Parser(
        prog="neascn",
        description=_("NEASCN Desktop on the command line: surveys, packages, framework and reports."),
    )
    parser.add_argument("--version", action="version", version=f"neascn {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help=_("check this installation headless in a temporary folder, then exit"))
    parser.add_argument("--data-dir", type=Path, metavar=_("DIR"), help=_("data directory to use"))
    parser.add_argument("--json", action="store_true", help=_("print machine-readable JSON"))
    parser.add_argument(
        "--lang", choices=sorted(LANGUAGES), metavar=_("LANG"), help=_("language of messages")
    )
    subparsers = parser.add_subparsers(dest="command", metavar=_("COMMAND"), parser_class=_Parser)
    modules = COMMAND_HOMES.get(command or "", tuple(COMMAND_MODULES))
    for name in COMMAND_MODULES:
        if name not in modules:
            continue
        importlib.import_module(f"neascn_desktop.cli.{name}").register(subparsers)
    return parser


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """Let ``--json`` be given after the command as well as before it."""
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help=_("print machine-readable JSON"))


#: The flag that confirms each kind of trust change (``identity.trust.KEY_CHANGE``, ...).
CONFIRM_FLAGS = {"key_change": "--accept-key-change", "new_secretariat": "--replace-secretariat"}


def add_confirm_flags(parser: argparse.ArgumentParser) -> None:
    """The explicit confirmations of a trust change (``trust add``, ``inbox trust``)."""
    parser.add_argument(CONFIRM_FLAGS["key_change"], action="store_true",
                        help=_("replace the key of a device that is already trusted"))
    parser.add_argument(CONFIRM_FLAGS["new_secretariat"], action="store_true",
                        help=_("send responses to this secretariat instead of the current one"))


def add_role_flag(parser: argparse.ArgumentParser) -> None:
    """``--as ROLE``: the role to trust a sender as (``trust add``, ``inbox trust``)."""
    from neascn_desktop.identity.profile import ROLES

    parser.add_argument("--as", dest="as_role", choices=sorted(ROLES), default=None, metavar=_("ROLE"),
                        help=_("the role to trust the sender as (a key card or a package only claims one)"))


def role_not_chosen(exc: Exception) -> CliUsageError:
    """``identity.trust.RoleNotChosen`` as the command line says it: with the flag that chooses."""
    from neascn_desktop.identity.profile import ROLES

    return CliUsageError(_("{problem} Name the role with --as ({roles}).").format(
        problem=str(exc), roles=", ".join(sorted(ROLES))))


def _log_crash(ctx: CliContext | None, data_dir: Path | None = None) -> Path | None:
    """Write the traceback to ``<data dir>/logs/`` (``None`` if even that fails: this is the last
    resort, it never raises)."""
    try:
        from neascn_desktop.paths import default_data_dir

        folder = (ctx.data_dir if ctx and ctx.data_dir else data_dir or default_data_dir()) / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"cli-crash-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.txt"
        path.write_text(traceback.format_exc(), encoding="utf-8")
        return path
    except Exception:  # noqa: BLE001 - a crash log must not crash
        return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    pre = _preparse(argv)
    if pre.lang:
        pre.lang = normalize_language(pre.lang)
    ctx: CliContext | None = None
    try:
        _choose_language(pre.data_dir, pre.lang)
        parser = build_parser(pre.command)
        args = parser.parse_args(argv)
        if args.self_test:
            from neascn_desktop.selftest import run_self_test

            return run_self_test()
        if not getattr(args, "handler", None):
            parser.print_usage(sys.stderr)
            return 2
        ctx = CliContext(data_dir=args.data_dir, json=bool(args.json))
        return int(args.handler(ctx, args) or 0)
    except NeascnError as exc:
        sys.stderr.write(f"neascn: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        interrupted = _("interrupted")
        sys.stderr.write(f"neascn: {interrupted}\n")
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # noqa: BLE001 - never show a traceback to the user
        where = _log_crash(ctx, pre.data_dir)
        message = _("internal error: {error}").format(error=f"{type(exc).__name__}: {exc}".splitlines()[0])
        if where:
            message += " " + _("(details in {path})").format(path=where)
        sys.stderr.write(f"neascn: {message}\n")
        return 1
    finally:
        if ctx is not None:
            ctx.close()


def use_utf8_streams() -> None:
    """Write UTF-8 to standard output and error, whatever the system's code page.

    On Windows, output redirected to a pipe or a file is encoded in the local
    code page (cp1252, cp949, ...), which cannot hold Cyrillic, Hangul or the
    Mongolian Ө: a translated message or ``--json`` would end in
    ``UnicodeEncodeError`` half-way through.  The CLI's output is UTF-8 on every
    system instead; what even UTF-8 cannot encode (a lone surrogate from an
    undecodable file name) is escaped rather than fatal.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:  # None in a windowed process, or a replaced stream
            continue
        try:
            reconfigure(encoding="utf-8", errors="backslashreplace")
        except (OSError, ValueError):  # a closed or detached stream: nothing will be written to it
            continue


def run() -> None:
    """The ``neascn`` command: ``main()``, then exit without tearing the interpreter down.

    By the time ``main()`` returns the database is closed and nothing is left
    to write but the standard streams, which are flushed here; freeing every
    object one by one (what a normal exit does) would add a tenth of a second
    to every command after a large import.
    """
    use_utf8_streams()
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # the reader went away, or a stream was closed
        code = code or 1
    os._exit(code)


if __name__ == "__main__":
    run()
