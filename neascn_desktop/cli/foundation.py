"""Foundation commands: ``init``, ``key export``, ``trust add|list|revoke``, ``stats``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from neascn_desktop.cli import (
    CONFIRM_FLAGS,
    CliContext,
    CliUsageError,
    add_confirm_flags,
    add_json_flag,
    add_role_flag,
    role_not_chosen,
)
from neascn_desktop.i18n import LANGUAGES, _
from neascn_desktop.identity.profile import ROLES, create_profile
from neascn_desktop.identity.trust import (
    RoleNotChosen,
    TrustChangeRefused,
    TrustError,
    export_keycard,
    list_trusted,
    own_device_id,
    read_keycard,
)


def confirmed_changes(args: argparse.Namespace) -> frozenset[str]:
    """The kinds of trust change the flags of ``add_confirm_flags`` confirm."""
    return frozenset(kind for kind, flag in CONFIRM_FLAGS.items()
                     if getattr(args, flag.lstrip("-").replace("-", "_"), False))


def refusal(exc: TrustChangeRefused) -> CliUsageError:
    """The refusal as the command line says it: what would change, and the flag to confirm it."""
    return CliUsageError(" ".join(
        _("{change} Confirm with {flag} once you have checked the new fingerprint with its owner.").format(
            change=change.message, flag=CONFIRM_FLAGS[change.kind])
        for change in exc.changes))


def register(subparsers: argparse._SubParsersAction) -> None:
    init = subparsers.add_parser("init", help=_("create the profile of this data directory"))
    init.add_argument("--name", required=True, help=_("your display name"))
    init.add_argument("--role", required=True, choices=sorted(ROLES), help=_("your role"))
    init.add_argument("--org", default="", help=_("your organisation"))
    init.add_argument("--lang", dest="profile_lang", default="en", choices=sorted(LANGUAGES),
                      help=_("language of the profile"))
    add_json_flag(init)
    init.set_defaults(handler=cmd_init)

    key = subparsers.add_parser("key", help=_("this device's key card"))
    key_sub = key.add_subparsers(dest="key_command", metavar=_("COMMAND"), required=True)
    export = key_sub.add_parser("export", help=_("write this device's key card to a file"))
    export.add_argument("-o", "--output", type=Path, required=True, help=_("file to write"))
    add_json_flag(export)
    export.set_defaults(handler=cmd_key_export)

    trust = subparsers.add_parser("trust", help=_("trusted devices"))
    trust_sub = trust.add_subparsers(dest="trust_command", metavar=_("COMMAND"), required=True)
    add = trust_sub.add_parser("add", help=_("trust the devices of these key cards"))
    add.add_argument("files", nargs="+", type=Path, metavar=_("FILE"))
    add_confirm_flags(add)
    add_role_flag(add)
    add_json_flag(add)
    add.set_defaults(handler=cmd_trust_add)
    lst = trust_sub.add_parser("list", help=_("list trusted and revoked devices"))
    add_json_flag(lst)
    lst.set_defaults(handler=cmd_trust_list)
    rev = trust_sub.add_parser("revoke", help=_("revoke a trusted device"))
    rev.add_argument("device_id", metavar=_("ID"))
    add_json_flag(rev)
    rev.set_defaults(handler=cmd_trust_revoke)

    stats = subparsers.add_parser("stats", help=_("counts and digest of the stored data"))
    add_json_flag(stats)
    stats.set_defaults(handler=cmd_stats)


def cmd_init(ctx: CliContext, args: argparse.Namespace) -> int:
    profile = create_profile(
        ctx.db, name=args.name, role=args.role, organisation=args.org, language=args.profile_lang
    )
    if ctx.json:
        ctx.print_json({"device_id": profile.device_id, "role": profile.role,
                        "language": profile.language, "data_dir": str(ctx.db.data_dir)})
    else:
        print(_("Profile created for {name} ({role}) in {path}.").format(
            name=profile.display_name, role=profile.role_label, path=ctx.db.data_dir))
    return 0


def cmd_key_export(ctx: CliContext, args: argparse.Namespace) -> int:
    card = export_keycard(ctx.db, ctx.profile(), args.output)
    if ctx.json:
        ctx.print_json({"device_id": card.device_id, "fingerprint": card.fingerprint,
                        "file": str(args.output)})
    else:
        print(_("Key card written to {path} (fingerprint {fingerprint}).").format(
            path=args.output, fingerprint=card.fingerprint))
    return 0


def cmd_trust_add(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync import trusting

    cards = [read_keycard(path) for path in args.files]  # all checked before any is trusted
    own = own_device_id(ctx.db)
    for card in cards:
        if card.device_id == own:
            raise TrustError(_("{name} is this device's own key card.").format(name=card.display_name))
    try:  # one transaction: all or none
        decisions = trusting.trust_keycards(ctx.db, cards, accept=confirmed_changes(args),
                                            sources=[str(path) for path in args.files], role=args.as_role)
    except TrustChangeRefused as exc:
        raise refusal(exc) from None
    except RoleNotChosen as exc:
        raise role_not_chosen(exc) from None
    results = [d.device for d in decisions]
    if ctx.json:
        ctx.print_json([{"device_id": d.device_id, "name": d.display_name, "fingerprint": d.fingerprint,
                         "changes": [c.kind for c in decision.changes]}
                        for d, decision in zip(results, decisions, strict=True)])
    else:
        for device, decision in zip(results, decisions, strict=True):
            print(_("Trusted {name} ({organisation}), fingerprint {fingerprint}.").format(
                name=device.display_name, organisation=device.organisation or "-",
                fingerprint=device.fingerprint))
            for change in decision.changes:
                print("    " + change.message)
    return 0


def cmd_trust_list(ctx: CliContext, args: argparse.Namespace) -> int:
    devices = list_trusted(ctx.db)
    if ctx.json:
        ctx.print_json([
            {"device_id": d.device_id, "name": d.display_name, "organisation": d.organisation,
             "role": d.role, "fingerprint": d.fingerprint, "trusted_at": d.trusted_at,
             "revoked": d.revoked, "revoked_at": d.revoked_at}
            for d in devices
        ])
        return 0
    if not devices:
        print(_("No trusted devices yet."))
    for d in devices:
        state = _("revoked") if d.revoked else _("trusted")
        print(f"{d.device_id}  {d.display_name}  {d.organisation or '-'}  {d.role}  {d.fingerprint}  {state}")
    return 0


def cmd_trust_revoke(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync import trusting

    device = trusting.revoke_device(ctx.db, args.device_id)
    if ctx.json:
        ctx.print_json({"device_id": device.device_id, "revoked_at": device.revoked_at})
    else:
        print(_("Revoked {name} ({id}).").format(name=device.display_name, id=device.device_id))
    return 0


def cmd_stats(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.stats import collect_stats

    stats = collect_stats(ctx.db)
    if ctx.json:
        ctx.print_json(stats)
    else:
        for key, value in stats.items():
            sys.stdout.write(f"{key}: {value}\n")
    return 0
