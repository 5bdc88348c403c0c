"""Package commands: ``package export|verify|import|undo``, ``inbox``, ``conflicts``, ``audit``,
``undo`` (in ``cli.undo``) and ``key backup|restore|rotate``.

Thin wrappers over ``neascn_desktop.sync`` (the Inbox workspace calls the same
functions).  ``package import`` exits 0 when every file given was applied or
was already present, 1 when any was refused or left waiting in the inbox, and
2 on bad usage.
"""

from __future__ import annotations

import argparse
import gc
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from neascn_desktop.cli import (
    CliContext,
    CliUsageError,
    add_confirm_flags,
    add_json_flag,
    add_role_flag,
    role_not_chosen,
)
from neascn_desktop.cli import undo as undo_cli
from neascn_desktop.cli.text_input import read_text_argument, split_assignment
from neascn_desktop.i18n import N_, _, ngettext
from neascn_desktop.i18n.safe_text import safe_text
from neascn_desktop.sync.container import KINDS
from neascn_desktop.sync.package_format import kind_label

if TYPE_CHECKING:
    from neascn_desktop.sync.importer import ImportReport

# The sync use cases are imported inside the commands: a command loads only what it uses.

PASSPHRASE_ENV = "NEASCN_PASSPHRASE"


def register(subparsers: argparse._SubParsersAction) -> None:
    package = subparsers.add_parser("package", help=_("package files: export, verify, import"))
    sub = package.add_subparsers(dest="package_command", metavar=_("COMMAND"), required=True)

    export = sub.add_parser("export", help=_("write a package file"))
    export.add_argument("--kind", required=True, choices=KINDS, help=_("what the package carries"))
    export.add_argument("-o", "--output", type=Path, required=True, help=_("file to write"))
    export.add_argument("--encrypt-for", type=Path, metavar=_("KEYFILE"),
                        help=_("encrypt for the device of this key card"))
    export.add_argument("--no-encrypt", action="store_true",
                        help=_("do not encrypt, not even for the trusted secretariat"))
    export.add_argument("--full", action="store_true",
                        help=_("send everything, not only what the recipient may lack"))
    add_json_flag(export)
    export.set_defaults(handler=cmd_export)

    verify = sub.add_parser("verify", help=_("check package files without importing them"))
    verify.add_argument("files", nargs="+", type=Path, metavar=_("FILE"))
    add_json_flag(verify)
    verify.set_defaults(handler=cmd_verify)

    imp = sub.add_parser("import", help=_("import package files or folders of them"))
    imp.add_argument("paths", nargs="+", type=Path, metavar=_("FILE_OR_DIR"))
    imp.add_argument("--dry-run", action="store_true", help=_("only show what would change"))
    add_json_flag(imp)
    imp.set_defaults(handler=cmd_import)
    undo_cli.register_package_undo(sub)

    box = subparsers.add_parser("inbox", help=_("packages waiting for a decision"))
    box_sub = box.add_subparsers(dest="inbox_command", metavar=_("COMMAND"), required=True)
    lst = box_sub.add_parser("list", help=_("list the waiting packages"))
    lst.add_argument("--all", action="store_true", help=_("include applied and rejected packages"))
    add_json_flag(lst)
    lst.set_defaults(handler=cmd_inbox_list)
    trust = box_sub.add_parser("trust", help=_("trust the sender of a waiting package and apply its packages"))
    trust.add_argument("package_id", metavar=_("PACKAGE_ID"))
    trust.add_argument("--only-this", action="store_true",
                       help=_("apply this package only, without trusting its sender"))
    add_confirm_flags(trust)
    add_role_flag(trust)
    add_json_flag(trust)
    trust.set_defaults(handler=cmd_inbox_trust)
    rej = box_sub.add_parser("reject", help=_("reject a waiting package"))
    rej.add_argument("package_id", metavar=_("PACKAGE_ID"))
    add_json_flag(rej)
    rej.set_defaults(handler=cmd_inbox_reject)

    conf = subparsers.add_parser("conflicts", help=_("records edited in two places at once"))
    conf_sub = conf.add_subparsers(dest="conflicts_command", metavar=_("COMMAND"), required=True)
    clist = conf_sub.add_parser("list", help=_("list the records in conflict"))
    add_json_flag(clist)
    clist.set_defaults(handler=cmd_conflicts_list)
    res = conf_sub.add_parser("resolve", help=_("resolve a conflict"))
    res.add_argument("entity_id", metavar=_("ENTITY_ID"))
    how = res.add_mutually_exclusive_group(required=True)
    how.add_argument("--keep", metavar=_("REVISION_ID"), help=_("keep this revision's content"))
    how.add_argument("--merge", action="store_true",
                     help=_("accept the field-level merge proposal (only when it has no conflicting field)"))
    how.add_argument("--set", action="append", metavar=_("FIELD=VALUE"),
                     help=_("save the merge proposal with this field changed, checked like the form (repeatable)"))
    add_json_flag(res)
    res.set_defaults(handler=cmd_conflicts_resolve)
    undo_cli.register_conflicts_undo(conf_sub)

    aud = subparsers.add_parser("audit", help=_("the log of imports, exports and decisions"))
    aud_sub = aud.add_subparsers(dest="audit_command", metavar=_("COMMAND"), required=True)
    alist = aud_sub.add_parser("list", help=_("list audit records, newest first"))
    alist.add_argument("--limit", type=int, default=None, help=_("at most this many records"))
    add_json_flag(alist)
    alist.set_defaults(handler=cmd_audit_list)

    _register_key_commands(subparsers)
    undo_cli.register(subparsers)


def _key_subparsers(subparsers: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The ``key`` command belongs to the foundation module; add our sub-commands to it."""
    key = subparsers.choices.get("key")
    if key is None:
        key = subparsers.add_parser("key", help=_("this device's keys"))
        return key.add_subparsers(dest="key_command", metavar=_("COMMAND"), required=True)
    for action in key._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return key.add_subparsers(dest="key_command", metavar=_("COMMAND"), required=True)


def _register_key_commands(subparsers: argparse._SubParsersAction) -> None:
    key_sub = _key_subparsers(subparsers)
    backup = key_sub.add_parser("backup", help=_("save this profile's private keys to a passphrase-protected file"))
    backup.add_argument("-o", "--output", type=Path, required=True, help=_("file to write"))
    backup.add_argument("--passphrase-file", type=Path, metavar=_("FILE"),
                        help=_("read the passphrase from the first line of this file"))
    add_json_flag(backup)
    backup.set_defaults(handler=cmd_key_backup)
    restore = key_sub.add_parser("restore", help=_("restore private keys from a backup file"))
    restore.add_argument("file", type=Path, metavar=_("FILE"))
    restore.add_argument("--passphrase-file", type=Path, metavar=_("FILE"),
                         help=_("read the passphrase from the first line of this file"))
    add_json_flag(restore)
    restore.set_defaults(handler=cmd_key_restore)
    rotate = key_sub.add_parser("rotate", help=_("make a new encryption key; old ones still open old packages"))
    add_json_flag(rotate)
    rotate.set_defaults(handler=cmd_key_rotate)
    keys = key_sub.add_parser("list", help=_("list this profile's encryption keys"))
    add_json_flag(keys)
    keys.set_defaults(handler=cmd_key_list)


# --------------------------------------------------------------------------- packages


def cmd_export(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync.exporter import export_package, recipient_from_keyfile

    ctx.profile()
    recipient = recipient_from_keyfile(args.encrypt_for) if args.encrypt_for else None
    if recipient is not None and args.no_encrypt:
        raise CliUsageError(_("--encrypt-for and --no-encrypt cannot be used together."))
    result = export_package(ctx.db, args.kind, args.output, recipient=recipient,
                            auto_recipient=not args.no_encrypt, full=args.full)
    if ctx.json:
        ctx.print_json(result.to_dict())
        return 0
    print(ngettext("Wrote {file}: {count} revision ({kind}).", "Wrote {file}: {count} revisions ({kind}).",
                   result.revisions).format(file=result.path, count=result.revisions, kind=kind_label(result.kind)))
    if result.recipient is not None:
        print(_("Encrypted for {name} (key {fingerprint}).").format(
            name=result.recipient.display_name, fingerprint=result.recipient.key_fingerprint))
    else:
        print(_("Not encrypted."))
    if result.resent:
        print(result.resent_note)
    if result.missing_attachments:
        print(ngettext("{count} attachment was missing here and is not included.",
                       "{count} attachments were missing here and are not included.",
                       len(result.missing_attachments)).format(count=len(result.missing_attachments)),
              file=sys.stderr)
    return 0


def _existing(paths: list[Path]) -> None:
    for path in paths:
        if not path.exists():
            raise CliUsageError(_("{path} does not exist.").format(path=path))


def cmd_verify(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync.reading import expand_paths
    from neascn_desktop.sync.verify import Verifier

    _existing(args.files)
    verifier = Verifier(ctx.db)
    verdicts = [verifier.verify(path) for path in expand_paths(args.files)]
    if ctx.json:
        ctx.print_json([v.to_dict() for v in verdicts])
    else:
        for v in verdicts:
            # File names from a folder listing are as untrusted as the packages themselves.
            shown = safe_text(v.path.name)
            print(safe_text(v.summary if v.summary.startswith(shown) else f"{v.path}: {v.summary}", None))
    return 0 if all(v.error is None for v in verdicts) else 1


def _print_report(ctx: CliContext, report: ImportReport) -> None:
    if ctx.json:
        ctx.print_json(report.to_dict())
        return
    for outcome in report.outcomes:
        name = safe_text(outcome.path.name)  # as the message quotes it
        print(safe_text(outcome.message if outcome.message.startswith(name) else f"{name}: {outcome.message}",
                        None))
        if outcome.preview is not None and report.dry_run:
            for entity_type, counts in sorted(outcome.preview.by_type.items()):
                print("    " + _("{type}: {new} new, {updated} updated, {conflicting} conflicting, "
                              "{unchanged} unchanged").format(type=entity_type, **counts.to_dict()))
    print(report.summary)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a batch import, then as it was.

    An import allocates millions of small objects (every answer of every revision) that
    reference counting frees batch by batch; the cyclic collector would scan them again
    and again while they live (a third of the time spent unpacking what workers read).
    Only the CLI, a process that ends after the import, may switch it off; the GUI keeps it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def cmd_import(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync.importer import import_packages

    _existing(args.paths)
    ctx.profile()
    with collector_paused():
        report = import_packages(ctx.db, args.paths, dry_run=args.dry_run)
    if not report.outcomes and not ctx.json:
        print(_("No package files found."))
        return 0
    _print_report(ctx, report)
    return report.exit_code


# --------------------------------------------------------------------------- inbox


def cmd_inbox_list(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync import inbox

    entries = inbox.list_inbox(ctx.db, include_decided=args.all)
    if ctx.json:
        ctx.print_json([e.to_dict() for e in entries])
        return 0
    if not entries:
        print(_("The inbox is empty."))
    from neascn_desktop.identity.profile import ROLES

    for e in entries:
        # The claimed role too: "trust" and "--only-this" decide about it (see --as).
        role = _(ROLES[e.sender_role]) if e.sender_role in ROLES else e.sender_role
        print(f"{e.package_id}  {e.kind}  {e.sender_name} ({e.sender_organisation or '-'}, {role})  "
              f"{e.fingerprint}  {e.reason_label}  {e.status}")
    return 0


def cmd_inbox_trust(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.cli.foundation import confirmed_changes, refusal
    from neascn_desktop.identity.trust import RoleNotChosen, TrustChangeRefused
    from neascn_desktop.sync import inbox

    try:
        report = inbox.trust_and_apply(ctx.db, args.package_id, only_this=args.only_this,
                                       accept=confirmed_changes(args), role=args.as_role)
    except TrustChangeRefused as exc:
        raise refusal(exc) from None
    except RoleNotChosen as exc:
        raise role_not_chosen(exc) from None
    _print_report(ctx, report)
    for outcome in report.outcomes:
        if outcome.ok:  # applied: its stored copy should be gone
            _note_copy_left(outcome.path)
    return report.exit_code


def _note_copy_left(file: Path) -> None:
    from neascn_desktop.sync import inbox

    note = inbox.copy_left(file)
    if note:
        sys.stderr.write(f"neascn: {note}\n")


def cmd_inbox_reject(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync import inbox

    entry = inbox.reject(ctx.db, args.package_id)
    if ctx.json:
        ctx.print_json({"package_id": entry.package_id, "status": "rejected"})
    else:
        print(_("Rejected the package {id} from {name}.").format(id=entry.package_id, name=entry.sender_name))
    _note_copy_left(entry.file)
    return 0


# --------------------------------------------------------------------------- conflicts and audit


def cmd_conflicts_list(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync import conflicts

    found = conflicts.list_conflicts(ctx.db)
    if ctx.json:
        ctx.print_json([c.to_dict() for c in found])
        return 0
    if not found:
        print(_("No conflicts."))
    for c in found:
        print(f"{c.entity_type}  {c.entity_id}")
        for head, changed in zip(c.heads, c.changed, strict=True):
            fields = ", ".join(sorted(changed)) or "-"
            print("    " + _("{revision}  device {device}  clock {clock}  changed: {fields}").format(
                revision=head.id, device=head.device_id, clock=head.clock, fields=fields))
    return 0


def cmd_conflicts_resolve(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync import conflicts

    ctx.profile()
    if args.keep:
        revision = conflicts.resolve_keep(ctx.db, args.entity_id, args.keep)
    elif args.set:
        revision = conflicts.resolve_with(ctx.db, args.entity_id, _edited_proposal(ctx, args.entity_id, args.set),
                                          how="edit")
    else:
        comparison = conflicts.compare(ctx.db, args.entity_id)
        if not comparison.clean:
            names = ", ".join(r.name for r in comparison.rows if r.conflicting)
            raise CliUsageError(_("The merge proposal still has conflicting fields ({fields}); use --keep.").format(
                fields=names))
        revision = conflicts.resolve_with(ctx.db, args.entity_id, comparison.proposal)
    if ctx.json:
        ctx.print_json({"entity_id": revision.entity_id, "revision": revision.id,
                        "parents": list(revision.parents)})
    else:
        print(_("Resolved {id} with the new revision {revision}.").format(
            id=revision.entity_id, revision=revision.id))
    return 0


def _edited_proposal(ctx: CliContext, entity_id: str, pairs: list[str]) -> dict[str, object]:
    """The merge proposal with ``FIELD=VALUE`` pairs typed in, each read as the form reads it (a
    question may be named without ``answers.``)."""
    from neascn_desktop.sync import conflicts, proposals

    comparison = conflicts.compare(ctx.db, entity_id)
    head = proposals.reference_head(comparison.heads)
    flat = conflicts.flatten(comparison.entity_type, comparison.proposal)
    errors: dict[str, str] = {}
    for pair in pairs:
        name, eq, text = split_assignment(pair)
        name = name.strip()
        if not eq or not name:
            raise CliUsageError(_("Give a field as FIELD=VALUE, not “{text}”.").format(text=pair))
        if comparison.entity_type == "submission" and proposals.is_answer_path(name.removeprefix("answers.")):
            # Inside a repeat (projects[2]/budget): the path read as ``response set`` reads it.
            path = name.removeprefix("answers.")
            answers = {key[len("answers."):]: value for key, value in flat.items() if key.startswith("answers.")}
            try:
                answers = proposals.answers_with_typed(ctx.db, head, answers, path, text)
            except proposals.ProposalError as exc:
                errors.update(exc.errors)
                continue
            flat = {key: value for key, value in flat.items() if not key.startswith("answers.")}
            flat.update({f"answers.{key}": value for key, value in answers.items()})
            continue
        if comparison.entity_type == "submission" and "." not in name and name not in flat:
            name = f"answers.{name}"
        try:
            value = proposals.typed_value(ctx.db, head, name, text)
        except proposals.ProposalError as exc:
            errors.update(exc.errors)
            continue
        if value is None:
            flat.pop(name, None)
        else:
            flat[name] = value
    if errors:
        raise proposals.ProposalError(errors, proposals.field_labels(ctx.db, head, sorted(errors)))
    return conflicts.unflatten(comparison.entity_type, flat)


def cmd_audit_list(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync import audit

    entries = audit.list_audit(ctx.db, limit=args.limit)
    if ctx.json:
        ctx.print_json([e.to_dict() for e in entries])
        return 0
    if not entries:
        print(_("The audit log is empty."))
    for e in entries:
        who = f"{e.sender_name} ({e.sender_fingerprint})" if e.sender_name else "-"
        member = f"[{e.member_name}]  " if e.member_name else ""  # who did it, on a team's database
        print(f"{e.at.isoformat(timespec='seconds')}  {member}{audit.action_label(e.action)}  "
              f"{audit.verdict_label(e.verdict)}  {e.package_id or '-'}  {e.file_name or '-'}  {who}  {e.message}")
    return 0


# --------------------------------------------------------------------------- keys


def _passphrase(args: argparse.Namespace, confirm: bool) -> str:
    if args.passphrase_file:
        # A BOM (Notepad's) would otherwise become part of the passphrase.
        text = read_text_argument(args.passphrase_file)
        lines = text.splitlines()
        return lines[0] if lines else ""
    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return env
    if not sys.stdin.isatty():
        raise CliUsageError(_("Give the passphrase with --passphrase-file or the {name} variable.").format(
            name=PASSPHRASE_ENV))
    first = getpass.getpass(_("Passphrase: "))
    if confirm and getpass.getpass(_("Passphrase again: ")) != first:
        raise CliUsageError(_("The two passphrases differ."))
    return first


def cmd_key_backup(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync import keystore

    ctx.profile()
    count = keystore.backup_keys(ctx.db, args.output, _passphrase(args, confirm=True))
    if ctx.json:
        ctx.print_json({"file": str(args.output), "encryption_keys": count})
    else:
        print(ngettext("Saved the signing key and {count} encryption key to {path}.",
                       "Saved the signing key and {count} encryption keys to {path}.", count).format(
                           count=count, path=args.output))
        print(_("Keep the file and its passphrase in two different safe places."))
    return 0


def cmd_key_restore(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync import keystore

    # Opened and checked before the database: a wrong passphrase or a damaged file must leave
    # the target data directory as it was (not even an empty database in it).
    backup = keystore.read_backup(args.file, _passphrase(args, confirm=False))
    result = keystore.restore_backup(ctx.db, backup)
    if ctx.json:
        ctx.print_json({"device_id": result.device_id, "name": result.display_name,
                        "created_profile": result.created_profile, "keys_added": result.keys_added})
    elif result.created_profile:
        print(_("Restored the profile of {name} with its keys.").format(name=result.display_name))
    else:
        print(ngettext("Restored {count} missing encryption key.", "Restored {count} missing encryption keys.",
                       result.keys_added).format(count=result.keys_added))
    return 0


def cmd_key_rotate(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync import audit, keystore

    ctx.profile()
    info = keystore.rotate_encryption_key(ctx.db)
    audit.record_now(ctx.db, action="key", verdict="rotated",
                     message=audit.event(N_("New encryption key {fingerprint}."), fingerprint=info.fingerprint))
    if ctx.json:
        ctx.print_json({"fingerprint": info.fingerprint, "public_key": info.public_key})
    else:
        print(_("New encryption key {fingerprint}; older keys are kept to open older packages.").format(
            fingerprint=info.fingerprint))
        print(_("Export a deployment package (or your key card) so other devices use the new key."))
    return 0


def cmd_key_list(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.sync import keystore

    ctx.profile()
    keys = keystore.list_encryption_keys(ctx.db)
    if ctx.json:
        ctx.print_json([{"fingerprint": k.fingerprint, "public_key": k.public_key, "current": k.current,
                         "created_at": k.created_at, "retired_at": k.retired_at} for k in keys])
        return 0
    for k in keys:
        state = _("current") if k.current else _("retired")
        print(f"{k.fingerprint}  {state}  {k.created_at.isoformat(timespec='seconds')}")
    return 0

