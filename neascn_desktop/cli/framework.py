"""Framework commands: ``framework create|list|show|set`` (scripted drafting, tests)."""

from __future__ import annotations

import argparse
import sys

from neascn_desktop.cli import CliContext, add_json_flag
from neascn_desktop.cli.text_input import read_text_argument
from neascn_desktop.framework import service
from neascn_desktop.framework.model import Section
from neascn_desktop.i18n import LANGUAGES, _


def register(subparsers: argparse._SubParsersAction) -> None:
    framework = subparsers.add_parser("framework", help=_("the framework document"))
    sub = framework.add_subparsers(dest="framework_command", metavar=_("COMMAND"), required=True)

    create = sub.add_parser("create", help=_("create the framework document from the skeleton"))
    create.add_argument("--lang", dest="doc_lang", default=None, choices=sorted(LANGUAGES),
                        help=_("language of the document (default: the profile's)"))
    add_json_flag(create)
    create.set_defaults(handler=cmd_create)

    lst = sub.add_parser("list", help=_("list the sections in document order"))
    add_json_flag(lst)
    lst.set_defaults(handler=cmd_list)

    show = sub.add_parser("show", help=_("print a section's text"))
    show.add_argument("section", metavar=_("SECTION"), help=_("section id, number or title"))
    add_json_flag(show)
    show.set_defaults(handler=cmd_show)

    set_ = sub.add_parser("set", help=_("replace a section's text with a Markdown file"))
    set_.add_argument("section", metavar=_("SECTION"), help=_("section id, number or title"))
    set_.add_argument("--file", required=True, metavar=_("FILE"),
                      help=_("Markdown file with the new text ('-' reads standard input)"))
    add_json_flag(set_)
    set_.set_defaults(handler=cmd_set)


def _as_json(section: Section, with_body: bool) -> dict[str, object]:
    data: dict[str, object] = {
        "id": section.id,
        "number": section.number,
        "depth": section.depth,
        "parent_id": section.parent_id,
        "title": section.title,
        "status": section.status,
        "owner": section.owner,
        "language": section.language,
        "revision_id": section.revision_id,
        "in_conflict": section.in_conflict,
        "has_working_copy": section.has_working_copy,
    }
    if with_body:
        data["body"] = section.body
    return data


def cmd_create(ctx: CliContext, args: argparse.Namespace) -> int:
    profile = ctx.profile()
    language = args.doc_lang or profile.language
    changes = service.create_document(ctx.db, profile, language)
    if ctx.json:
        ctx.print_json({"language": language, "sections": sorted(changes.entity_ids)})
    else:
        print(_("Framework document created in {language} with {count} sections.").format(
            language=LANGUAGES.get(language, language), count=len(changes.entity_ids)))
    return 0


def cmd_list(ctx: CliContext, args: argparse.Namespace) -> int:
    sections = service.list_sections(ctx.db)
    if ctx.json:
        ctx.print_json([_as_json(s, with_body=False) for s in sections])
        return 0
    if not sections:
        print(_("No framework document yet: run 'neascn framework create' first."))
    for s in sections:
        flags = []
        if s.in_conflict:
            flags.append(_("conflict"))
        if s.has_working_copy:
            flags.append(_("unsaved draft"))
        extra = f"  [{', '.join(flags)}]" if flags else ""
        owner = f"  ({s.owner})" if s.owner else ""
        print(f"{'  ' * s.depth}{s.number}  {s.title}  — {s.status_label}{owner}{extra}")
    return 0


def cmd_show(ctx: CliContext, args: argparse.Namespace) -> int:
    section = service.find_section(ctx.db, args.section)
    if ctx.json:
        data = _as_json(section, with_body=True)
        data["comments"] = [
            {"id": c.id, "reply_to": c.reply_to, "author": c.author, "text": c.text,
             "created_at": c.created_at, "resolved": c.resolved}
            for c in service.list_comments(ctx.db, section.id)
        ]
        ctx.print_json(data)
        return 0
    print(f"# {section.number} {section.title}")
    print(_("Status: {status}").format(status=section.status_label))
    if section.owner:
        print(_("Owner: {owner}").format(owner=section.owner))
    if section.in_conflict:
        print(_("This section has versions in conflict; settle them in the Framework workspace."))
    print()
    sys.stdout.write(section.body if section.body.endswith("\n") or not section.body else section.body + "\n")
    return 0


def cmd_set(ctx: CliContext, args: argparse.Namespace) -> int:
    profile = ctx.profile()
    section = service.find_section(ctx.db, args.section)
    body = read_text_argument(args.file).replace("\r\n", "\n")
    changes = service.set_body(ctx.db, profile, section.id, body)
    if ctx.json:
        ctx.print_json({"id": section.id, "changed": bool(changes)})
    elif changes:
        print(_("Section {number} {title} updated.").format(number=section.number, title=section.title))
    else:
        print(_("Section {number} {title} already has this text.").format(
            number=section.number, title=section.title))
    return 0
