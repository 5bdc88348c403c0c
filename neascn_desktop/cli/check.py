"""``neascn check``: is every attachment present and intact; restore what is not from packages.

A thin wrapper over ``sync.evidence.check_attachments``.  Exits 0 when every attachment
records refer to is present and intact, 1 when some are still missing or damaged (or a file
given with ``--from`` could not be used), 2 on bad usage.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from neascn_desktop.cli import CliContext, CliUsageError, add_json_flag
from neascn_desktop.i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser(
        "check", help=_("check that every attachment is present and intact; restore it from packages"))
    check.add_argument("--from", dest="sources", nargs="+", type=Path, default=[], metavar=_("FILE_OR_DIR"),
                       help=_("package files or folders to restore missing attachments from"))
    add_json_flag(check)
    check.set_defaults(handler=cmd_check)


def cmd_check(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync.evidence import check_attachments

    for path in args.sources:
        if not path.exists():
            raise CliUsageError(_("{path} does not exist.").format(path=path))
    ctx.profile()
    report = check_attachments(ctx.db, args.sources)
    if ctx.json:
        ctx.print_json(report.to_dict())
        return report.exit_code
    for problem in report.problems:
        print(f"{problem.sha256}  {problem.label}  {', '.join(problem.entities)}")
    for source in report.sources:
        if source.error:
            print(source.error)
    print(report.summary)
    return report.exit_code
