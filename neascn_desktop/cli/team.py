"""Team commands: ``join``, ``member list|add|remove`` and ``db copy`` (a laptop's database onto
the team's server and back)."""

from __future__ import annotations

import argparse
from typing import Any

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
    copy.add_argument("--switch", action="store_true",
                      help=_("with --to: this data directory uses the copy from now on"))
    add_json_flag(copy)
    copy.set_defaults(handler=cmd_db_copy)

    join = subparsers.add_parser("join", help=_("ask to join the team that shares the database at URL"))
    join.add_argument("url", metavar=_("URL"))
    join.add_argument("--name", required=True, help=_("your display name"))
    join.add_argument("--org", default="", help=_("your organisation"))
    add_json_flag(join)
    join.set_defaults(handler=cmd_join)

    member = subparsers.add_parser("member", help=_("the members of the team sharing this database"))
    member_sub = member.add_subparsers(dest="member_command", metavar=_("COMMAND"), required=True)
    lst = member_sub.add_parser("list", help=_("list the members and who asked to join"))
    add_json_flag(lst)
    lst.set_defaults(handler=cmd_member_list)
    add = member_sub.add_parser("add", help=_("add a member who asked to join (an admin only)"))
    add.add_argument("member", metavar=_("ID"), help=_("member id or fingerprint"))
    add.add_argument("--admin", action="store_true", help=_("may add and remove members too"))
    add_json_flag(add)
    add.set_defaults(handler=cmd_member_add)
    remove = member_sub.add_parser("remove", help=_("remove a member and rotate the team key (an admin only)"))
    remove.add_argument("member", metavar=_("ID"), help=_("member id or fingerprint"))
    remove.add_argument("--new-signing-key", action="store_true",
                        help=_("replace the team's signing key too (field devices must confirm the new key card)"))
    add_json_flag(remove)
    remove.set_defaults(handler=cmd_member_remove)


def _member_json(member: Any) -> dict[str, Any]:
    return {"member_id": member.member_id, "name": member.display_name, "organisation": member.organisation,
            "role": member.role, "status": member.status, "fingerprint": member.fingerprint,
            "requested_at": member.requested_at, "decided_at": member.decided_at, "me": member.me}


def cmd_join(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.team.copying import target_url
    from neascn_desktop.team.members import join

    member = join(ctx.folder, target_url(args.url), name=args.name, organisation=args.org)
    if ctx.json:
        ctx.print_json(_member_json(member))
    elif member.status == "active":
        print(_("{name} is a member of the team already.").format(name=member.display_name))
    else:
        print(_("Asked to join as {name} (fingerprint {fingerprint}). An admin of the team adds you with: "
                "neascn member add {id}").format(name=member.display_name, fingerprint=member.fingerprint,
                                                 id=member.member_id))
    return 0


def cmd_member_list(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.team.members import list_team

    members = list_team(ctx.db)
    if ctx.json:
        ctx.print_json([_member_json(m) for m in members])
        return 0
    if not members:
        print(_("No members yet: the database is used by one person."))
    for m in members:
        mark = " *" if m.me else ""
        print(f"{m.member_id}  {m.display_name}  {m.role_label}  {m.status_label}  {m.fingerprint}{mark}")
    return 0


def cmd_member_add(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.team.members import ADMIN, MEMBER, add_member

    member = add_member(ctx.db, args.member, role=ADMIN if args.admin else MEMBER)
    if ctx.json:
        ctx.print_json(_member_json(member))
    else:
        print(_("{name} is now a member of the team ({role}).").format(name=member.display_name,
                                                                       role=member.role_label))
    return 0


def cmd_member_remove(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.team.members import remove_member

    removal = remove_member(ctx.db, args.member, new_signing_key=args.new_signing_key)
    if ctx.json:
        ctx.print_json({**_member_json(removal.member), "new_key_fingerprint": removal.new_key_fingerprint,
                        "new_signing_fingerprint": removal.new_signing_fingerprint})
        return 0
    print(_("{name} was removed from the team. The new team key {fingerprint} is announced by the next "
            "deployment package.").format(name=removal.member.display_name,
                                          fingerprint=removal.new_key_fingerprint))
    if removal.new_signing_fingerprint is not None:
        print(_("The team's new signing key has the fingerprint {fingerprint}. Export the new key card "
                "(neascn key export) and have every field device confirm it; until then the team's "
                "packages wait in their inbox.").format(
                    fingerprint=removal.new_signing_fingerprint))
    return 0


def cmd_db_copy(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.team.copying import copy_from, copy_to, target_url

    if args.to is not None:
        url = target_url(args.to)
        report = copy_to(ctx.db, url)
        if args.switch:
            from neascn_desktop.store.database import open_database, store_url
            from neascn_desktop.team.members import enrol_creator

            store_url(ctx.folder, url)
            # The database is the team's from now on: its creator is its first admin, whom the
            # people who join see in the member list.
            shared = open_database(ctx.folder, url)
            try:
                enrol_creator(shared)
            finally:
                shared.dispose()
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
