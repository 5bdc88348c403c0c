"""Team commands: ``db copy`` (a laptop's database onto the team's server and back)."""

from __future__ import annotations

import argparse

from neascn_desktop.cli import CliContext, add_json_flag
from neascn_desktop.i18n import _, ngettext


def register(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help=_("the database: copy it to a server or back"))
    db_sub = db.add_subparsers(dest="db_command", metavar=_("COMMAND"), required=True)
    copy = db_sub.add_parser("copy", help=_("copy the whole database into an empty one"))
    where = copy.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", metavar=_("URL"),
                       help=_("the empty database to copy this one into (a URL or a SQLite file)"))
    where.add_argument("--from", dest="source", metavar=_("URL"),
                       help=_("the database to copy into this empty one (a URL or a SQLite file)"))
    add_json_flag(copy)
    copy.set_defaults(handler=cmd_db_copy)


def cmd_db_copy(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.team.copying import copy_from, copy_to, target_url

    if args.to is not None:
        report = copy_to(ctx.db, target_url(args.to))
    else:
        report = copy_from(ctx.db, target_url(args.source))
    total = sum(report.rows.values())
    if ctx.json:
        ctx.print_json({"target": report.target, "rows": report.rows, "digest": report.digest})
    else:
        print(ngettext("Copied {count} row into {location}; digest {digest}.",
                       "Copied {count} rows into {location}; digest {digest}.", total).format(
                           count=total, location=report.target, digest=report.digest))
    return 0
