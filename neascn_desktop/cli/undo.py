"""Undo commands: ``package undo``, ``conflicts undo`` and ``undo list|revert`` (thin wrappers over
``neascn_desktop.sync.undo``, which the GUI calls too).  Registered by ``cli.package``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from neascn_desktop.cli import CliContext, add_json_flag
from neascn_desktop.i18n import _

if TYPE_CHECKING:
    from neascn_desktop.sync.undo import UndoResult


def register_package_undo(package_sub: argparse._SubParsersAction) -> None:
    undo = package_sub.add_parser("undo", help=_("undo the import of a package (its changes are withdrawn)"))
    undo.add_argument("package_id", metavar=_("PACKAGE_ID"))
    add_json_flag(undo)
    undo.set_defaults(handler=cmd_package_undo)


def register_conflicts_undo(conflicts_sub: argparse._SubParsersAction) -> None:
    undo = conflicts_sub.add_parser("undo", help=_("undo the latest resolution of a conflict"))
    undo.add_argument("entity_id", metavar=_("ENTITY_ID"))
    add_json_flag(undo)
    undo.set_defaults(handler=cmd_conflicts_undo)


def register(subparsers: argparse._SubParsersAction) -> None:
    undo = subparsers.add_parser("undo", help=_("the undos of imports and resolutions"))
    sub = undo.add_subparsers(dest="undo_command", metavar=_("COMMAND"), required=True)
    lst = sub.add_parser("list", help=_("list the undos, newest first"))
    add_json_flag(lst)
    lst.set_defaults(handler=cmd_undo_list)
    revert = sub.add_parser("revert", help=_("undo an undo: what it withdrew comes back"))
    revert.add_argument("undo_id", metavar=_("UNDO_ID"))
    add_json_flag(revert)
    revert.set_defaults(handler=cmd_undo_revert)


def _report(ctx: CliContext, result: UndoResult) -> int:
    if ctx.json:
        ctx.print_json(result.to_dict())
    else:
        print(result.message)
        print(_("To take this back: neascn undo revert {id}").format(id=result.undo_id))
    return 0


def cmd_package_undo(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync import undo

    ctx.profile()
    return _report(ctx, undo.undo_package(ctx.db, args.package_id))


def cmd_conflicts_undo(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync import undo

    ctx.profile()
    return _report(ctx, undo.undo_resolution(ctx.db, undo.latest_resolution(ctx.db, args.entity_id)))


def cmd_undo_revert(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync import undo

    ctx.profile()
    return _report(ctx, undo.undo_undo(ctx.db, args.undo_id))


def cmd_undo_list(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync import undo

    records = undo.list_undos(ctx.db)
    if ctx.json:
        ctx.print_json([{"id": r.id, "at": r.at, "undid": r.action, "subject": r.subject,
                         "revisions": list(r.created), "undone_by": r.undone_by, "in_effect": r.active}
                        for r in records])
        return 0
    if not records:
        print(_("Nothing was undone."))
    from neascn_desktop.i18n import current_language
    from neascn_desktop.i18n.formatting import format_datetime
    from neascn_desktop.sync.audit import action_label

    # What each undid, named as the audit log names the action (in the reader's language).
    undid = {undo.PACKAGE: "import", undo.RESOLUTION: "resolve", undo.UNDO: "undo"}
    for r in records:
        state = _("in effect") if r.active else _("undone")
        when = format_datetime(r.at.astimezone(), current_language())
        print(f"{when}  {r.id}  {action_label(undid.get(r.action, r.action))}  {r.subject}  {state}")
    return 0
