"""Report commands: ``report readiness|framework|status -o FILE.docx`` and ``response export``.

``report`` writes a Word document in any of the six languages (``--lang``
after the subcommand is the report's language; without it, the language of
the messages).  ``response export`` lives in the surveys room's ``response``
group; its handler is here, beside the other output files
(:func:`register_response_export`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from neascn_desktop.cli import CliContext, add_json_flag
from neascn_desktop.i18n import LANGUAGES, _, current_language, normalize_language
from neascn_desktop.reports import service
from neascn_desktop.reports.data_export import FORMATS
from neascn_desktop.reports.layout_export import LAYOUTS


def register(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser("report", help=_("write Word reports"))
    report_sub = report.add_subparsers(dest="report_command", metavar=_("KIND"), required=True)
    for kind, help_text in (
        ("readiness", _("the city smart-readiness report")),
        ("framework", _("the framework document")),
        ("status", _("the survey collection status")),
    ):
        sub = report_sub.add_parser(kind, help=help_text)
        sub.add_argument("-o", "--output", type=Path, required=True, metavar=_("FILE"),
                         help=_("the file to write: .docx (Word) or .pdf (through LibreOffice)"))
        sub.add_argument("--lang", dest="report_lang", choices=sorted(LANGUAGES),
                         metavar=_("LANG"),
                         help=_("language of the report (default: the language of messages)"))
        if kind in ("readiness", "status"):
            sub.add_argument("--city", dest="cities", action="append", metavar=_("CITY_ID"),
                             help=_("only this city (repeatable)"))
            sub.add_argument("--form-version", metavar=_("V"),
                             help=_("survey version (default: the newest)"))
            sub.add_argument("--form", dest="form_id", metavar=_("FORM"),
                             help=_("survey form id (default: the built-in survey)"))
        if kind == "framework":
            sub.add_argument("--clean", action="store_true",
                             help=_("leave out statuses and open comments"))
        add_json_flag(sub)
        sub.set_defaults(handler=cmd_report, report_kind=kind)


def register_response_export(response_subparsers: argparse._SubParsersAction) -> None:
    """Add ``export`` to the ``response`` command group (called by cli/survey.py)."""
    export = response_subparsers.add_parser(
        "export", help=_("export all responses of a survey version for analysts (ODK/Kobo columns)"))
    export.add_argument("--format", dest="export_format", choices=FORMATS, default=None,
                        help=_("csv or xlsx (default: from the file name)"))
    export.add_argument("-o", "--output", type=Path, required=True, metavar=_("FILE"),
                        help=_("the file to write"))
    export.add_argument("--form-version", metavar=_("V"), help=_("survey version (default: the newest)"))
    export.add_argument("--form", dest="form_id", metavar=_("FORM"),
                        help=_("survey form id (default: the built-in survey)"))
    export.add_argument("--group-paths", action="store_true",
                        help=_("name columns group/question instead of question"))
    export.add_argument("--bom", action="store_true",
                        help=_("start a CSV with a byte-order mark, for Excel"))
    export.add_argument("--layout", choices=LAYOUTS, default="flat",
                        help=_("flat: one row per response, repeat instances as numbered "
                               "columns; central (ODK Central) or kobo (KoboToolbox): one table "
                               "per repeat — a sheet in XLSX, a file in CSV (a ZIP for a .zip "
                               "name)"))
    export.add_argument("--labels", metavar=_("LANG"), default=None,
                        help=_("headers and choices as labels in this language instead of names"))
    add_json_flag(export)
    export.set_defaults(handler=cmd_response_export)


def _progress_printer(enabled: bool):
    """Progress on stderr when it is a terminal (never in --json mode or in pipes)."""
    if not enabled or not sys.stderr.isatty():
        return None

    def show(done: int, total: int = 0, message: str = "") -> None:
        if total:
            sys.stderr.write(f"\r{done}/{total} {message[:50]:<50}")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()

    return show


def cmd_report(ctx: CliContext, args: argparse.Namespace) -> int:
    language = normalize_language(args.report_lang or current_language())
    result = service.build_report(
        ctx.db, args.report_kind, args.output, language=language,
        city_ids=getattr(args, "cities", None) or None,
        form_version=getattr(args, "form_version", None),
        form_id=getattr(args, "form_id", None),
        clean=getattr(args, "clean", False),
        progress=_progress_printer(not ctx.json),
    )
    if ctx.json:
        ctx.print_json({"file": str(result.path), "kind": result.kind, "language": result.language,
                        "headings": result.headings, "tables": result.tables,
                        "figures": result.figures})
    else:
        print(_("Report written to {path}.").format(path=result.path))
    return 0


def cmd_response_export(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.reports.data_export import export_responses

    # A .zip or a folder holds CSV files (one per table).
    suffix = args.output.suffix.lstrip(".").lower()
    fmt = args.export_format or ({"zip": "csv"}.get(suffix, suffix) or "csv")
    result = export_responses(ctx.db, args.output, fmt, args.form_version,
                              _progress_printer(not ctx.json), form_id=args.form_id,
                              language=current_language(), group_paths=args.group_paths,
                              bom=args.bom, layout=args.layout,
                              labels=args.labels)
    if ctx.json:
        ctx.print_json({"file": str(result.path),
                        "codebook": str(result.codebook_path) if result.codebook_path else None,
                        "format": result.format, "form_id": result.form_id,
                        "form_version": result.form_version, "rows": result.rows,
                        "columns": result.columns, "layout": args.layout,
                        "files": [str(p) for p in result.files]})
    else:
        print(_("Exported {count} responses of {form} {version} to {path}.").format(
            count=result.rows, form=result.form_id, version=result.form_version, path=result.path))
    return 0
