"""Survey commands: ``survey``, ``city``, ``response`` and ``demo``.

Thin wrappers over ``neascn_desktop.surveys.service`` (the GUI calls the same
functions).  ``response show --json`` prints ``id``, ``city``, ``form_id``,
``status`` and ``answers`` (question name -> value, numbers as JSON numbers);
``response list --json`` the same objects without ``answers``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from neascn_desktop.cli import CliContext, CliUsageError, add_json_flag
from neascn_desktop.cli.text_input import split_assignment
from neascn_desktop.i18n import LANGUAGES, _, current_language, ngettext
from neascn_desktop.i18n.formatting import format_number, format_percent
from neascn_desktop.surveys import entry, service
from neascn_desktop.surveys.answer_tree import INSTANCE_ID, instances_of
from neascn_desktop.surveys.definition import BUILTIN_FORM_ID, SurveyDefinition
from neascn_desktop.surveys.repeat_state import evaluate_tree


def register(subparsers: argparse._SubParsersAction) -> None:
    survey = subparsers.add_parser("survey", help=_("survey definitions and XLSForm"))
    survey_sub = survey.add_subparsers(dest="survey_command", metavar=_("COMMAND"), required=True)
    lst = survey_sub.add_parser("list", help=_("list the survey definitions"))
    add_json_flag(lst)
    lst.set_defaults(handler=cmd_survey_list)
    imp = survey_sub.add_parser("import-xlsform", help=_("import a survey from an XLSForm file"))
    imp.add_argument("file", type=Path, metavar=_("FILE"))
    add_json_flag(imp)
    imp.set_defaults(handler=cmd_survey_import)
    exp = survey_sub.add_parser("export-xlsform", help=_("export a survey as an XLSForm file"))
    exp.add_argument("form_id", metavar=_("FORM_ID"))
    exp.add_argument("-o", "--output", type=Path, required=True, help=_("file to write"))
    exp.add_argument("--version", dest="form_version", help=_("version (default: the newest)"))
    add_json_flag(exp)
    exp.set_defaults(handler=cmd_survey_export)

    city = subparsers.add_parser("city", help=_("the registry of cities"))
    city_sub = city.add_subparsers(dest="city_command", metavar=_("COMMAND"), required=True)
    clist = city_sub.add_parser("list", help=_("list cities with their survey status"))
    add_json_flag(clist)
    clist.set_defaults(handler=cmd_city_list)
    for name, help_text, handler in (
        ("add", _("add a city"), cmd_city_add),
        ("edit", _("change a city"), cmd_city_edit),
    ):
        sub = city_sub.add_parser(name, help=help_text)
        if name == "edit":
            sub.add_argument("city_id", metavar=_("CITY"))
        else:
            sub.add_argument("--id", dest="city_id", help=_("id of the new city (default: generated)"))
        sub.add_argument("--name", action="append", default=[], metavar=_("LANG=NAME"),
                         help=_("name in a language, e.g. en=Darkhan (repeatable)"))
        sub.add_argument("--country", help=_("two-letter country code"))
        sub.add_argument("--population", type=int)
        sub.add_argument("--lat", type=float, dest="latitude")
        sub.add_argument("--lon", type=float, dest="longitude")
        sub.add_argument("--source", help=_("where the figures come from"))
        add_json_flag(sub)
        sub.set_defaults(handler=handler)

    response = subparsers.add_parser("response", help=_("survey responses (submissions)"))
    resp_sub = response.add_subparsers(dest="response_command", metavar=_("COMMAND"), required=True)
    rlist = resp_sub.add_parser("list", help=_("list responses"))
    rlist.add_argument("--city", help=_("only this city"))
    rlist.add_argument("--form", dest="form_id", help=_("only this survey"))
    add_json_flag(rlist)
    rlist.set_defaults(handler=cmd_response_list)
    show = resp_sub.add_parser("show", help=_("show a response with its answers and score"))
    show.add_argument("id", metavar=_("ID"))
    add_json_flag(show)
    show.set_defaults(handler=cmd_response_show)
    rset = resp_sub.add_parser(
        "set", help=_("set answers (NAME=VALUE; multiple choices space-separated; "
                      "NAME=@FILE attaches a file; NAME= clears)"))
    rset.add_argument("id", metavar=_("ID"))
    rset.add_argument("assignments", nargs="+", metavar=_("NAME=VALUE"))
    add_json_flag(rset)
    rset.set_defaults(handler=cmd_response_set)
    rremove = resp_sub.add_parser(
        "remove-instance", help=_("remove one instance of a repeat with its answers (PATH: "
                                  "projects[2], projects[-1] or projects[@id=…])"))
    rremove.add_argument("id", metavar=_("ID"))
    rremove.add_argument("path", metavar=_("PATH"))
    add_json_flag(rremove)
    rremove.set_defaults(handler=cmd_response_remove_instance)
    rmove = resp_sub.add_parser(
        "move-instance", help=_("move one instance of a repeat to a position (counted from 1)"))
    rmove.add_argument("id", metavar=_("ID"))
    rmove.add_argument("path", metavar=_("PATH"))
    rmove.add_argument("position", type=int, metavar=_("POSITION"))
    add_json_flag(rmove)
    rmove.set_defaults(handler=cmd_response_move_instance)
    new = resp_sub.add_parser("new", help=_("start a response for a city"))
    new.add_argument("--city", required=True, help=_("city id or name"))
    new.add_argument("--form", dest="form_id", default=BUILTIN_FORM_ID, help=_("survey form id"))
    new.add_argument("--version", dest="form_version", help=_("version (default: the newest)"))
    new.add_argument("--language", choices=sorted(LANGUAGES), help=_("language of the interview"))
    add_json_flag(new)
    new.set_defaults(handler=cmd_response_new)
    for name, help_text, handler in (
        ("finalize", _("check every answer and lock the response"), cmd_response_finalize),
        ("reopen", _("unlock a finalized response"), cmd_response_reopen),
    ):
        sub = resp_sub.add_parser(name, help=help_text)
        sub.add_argument("id", metavar=_("ID"))
        add_json_flag(sub)
        sub.set_defaults(handler=handler)
    # ``response export`` (CSV/XLSX for analysts) belongs to the reports room.
    from neascn_desktop.cli.report import register_response_export

    register_response_export(resp_sub)

    demo = subparsers.add_parser("demo", help=_("fill this profile with realistic demo data"))
    demo.add_argument("--cities", type=int, default=6, help=_("number of cities (default 6)"))
    demo.add_argument("--seed", type=int, default=1, help=_("random seed (default 1)"))
    demo.add_argument("--unmarked", action="store_true",
                      help=_("treat the demo records as real ones: exported and reported "
                             "(for training and test profiles)"))
    demo.add_argument("--remove", action="store_true",
                      help=_("remove the demo data loaded into this profile"))
    add_json_flag(demo)
    demo.set_defaults(handler=cmd_demo)


# --------------------------------------------------------------------------- surveys


def cmd_survey_list(ctx: CliContext, args: argparse.Namespace) -> int:
    infos = service.list_definitions(ctx.db)
    language = current_language()
    if ctx.json:
        ctx.print_json([{"form_id": i.form_id, "version": i.version, "title": i.title_in(language),
                         "questions": i.questions, "builtin": i.builtin} for i in infos])
        return 0
    if not infos:
        print(_("No surveys yet."))
    for i in infos:
        print(f"{i.form_id}  {i.version}  {i.title_in(language)}  ({i.questions})")
    return 0


def cmd_survey_import(ctx: CliContext, args: argparse.Namespace) -> int:
    result = service.import_xlsform_checked(ctx.db, ctx.profile(), args.file)
    definition, changes = result.definition, result.changes
    if ctx.json:
        ctx.print_json({"form_id": definition.form_id, "version": definition.version,
                        "questions": len(definition.questions), "sections": len(definition.sections),
                        "languages": list(definition.languages), "new": bool(changes),
                        "warnings": list(result.warnings)})
        return 0
    label = _("warning")  # not inside the f-string: extraction cannot see into f-strings
    for warning in result.warnings:  # ODK's converter's advice; the form imported all the same
        sys.stderr.write(f"neascn: {label}: {warning}\n")
    if changes:
        print(_("Imported survey {form} version {version} with {count} questions.").format(
            form=definition.form_id, version=definition.version, count=len(definition.questions)))
    else:
        print(_("Survey {form} version {version} was already here.").format(
            form=definition.form_id, version=definition.version))
    return 0


def cmd_survey_export(ctx: CliContext, args: argparse.Namespace) -> int:
    result = service.export_xlsform_with_media(ctx.db, args.form_id, args.output, args.form_version)
    media = result.media
    if ctx.json:
        ctx.print_json({"form_id": args.form_id, "file": str(result.path),
                        "media": [str(p) for p in media.written] if media else [],
                        "missing_media": list(media.missing) if media else []})
        return 0
    print(_("Wrote {path}.").format(path=result.path))
    if media and media.written:
        print(ngettext("Wrote {count} media file into {folder}.",
                       "Wrote {count} media files into {folder}.", len(media.written)).format(
                           count=len(media.written), folder=media.folder))
    label = _("warning")
    for name in media.missing if media else ():
        sys.stderr.write(f"neascn: {label}: " + _(
            "the media file {name} is not in this data directory; it was not written.").format(
                name=name) + "\n")
    return 0


# --------------------------------------------------------------------------- cities


def _city_json(status: service.CityStatus, language: str) -> dict[str, Any]:
    city = status.city
    score = status.score
    return {
        "id": city.id, "name": city.name_in(language), "names": dict(city.name),
        "country": city.country, "population": city.population,
        "latitude": city.latitude, "longitude": city.longitude,
        "status": status.status,
        "response_id": status.submission.id if status.submission else None,
        "score": round(score.overall, 1) if score and score.overall is not None else None,
        "coverage": round(score.coverage, 4) if score else None,
        "demo": status.demo,
    }


def cmd_city_list(ctx: CliContext, args: argparse.Namespace) -> int:
    language = current_language()
    statuses = service.city_statuses(ctx.db)
    if ctx.json:
        ctx.print_json([_city_json(s, language) for s in statuses])
        return 0
    for s in statuses:
        score = s.score.overall if s.score else None
        shown = "-" if score is None else f"{score:.0f}"
        label = _status_label(s.status)
        if s.demo:
            label = _("{status} (demo data)").format(status=label)
        print(f"{s.city.id}  {s.city.name_in(language)}  {s.city.country}  {label}  {shown}")
    return 0


def _status_label(status: str) -> str:
    labels = {"not_started": _("not started"), "in_progress": _("in progress"),
              "finalized": _("finalized"), "sent": _("sent"),
              "received": _("received by the secretariat")}
    return labels.get(status, status)


def _names(pairs: list[str]) -> dict[str, str]:
    names = {}
    for pair in pairs:
        code, sep, text = pair.partition("=")
        if not sep:
            code, text = "en", pair
        names[code.strip()] = text
    return names


def _save_city(ctx: CliContext, args: argparse.Namespace, city_id: str | None) -> int:
    city, _changes = service.save_city(
        ctx.db, ctx.profile(), city_id=city_id, name=_names(args.name), country=args.country,
        population=args.population, latitude=args.latitude, longitude=args.longitude,
        source=args.source)
    if ctx.json:
        ctx.print_json({"id": city.id, **city.to_payload()})
    else:
        print(_("Saved city {name} ({id}).").format(name=city.name_in(current_language()),
                                                    id=city.id))
    return 0


def cmd_city_add(ctx: CliContext, args: argparse.Namespace) -> int:
    return _save_city(ctx, args, args.city_id)


def cmd_city_edit(ctx: CliContext, args: argparse.Namespace) -> int:
    city = service.get_city(ctx.db, args.city_id)
    return _save_city(ctx, args, city.id)


# --------------------------------------------------------------------------- responses


def _summary(submission: service.Submission) -> dict[str, Any]:
    return {
        "id": submission.id, "city": submission.city_id, "form_id": submission.form_id,
        "form_version": submission.form_version, "status": submission.status,
        "sent": submission.display_status in ("sent", "received"),
        "received": submission.display_status == "received", "delivery": submission.delivery,
        "enumerator": submission.enumerator,
        "device_id": submission.device_id, "updated_at": submission.updated_at,
        "unsaved": submission.unsaved, "in_conflict": submission.in_conflict,
    }


def _details(ctx: CliContext, submission: service.Submission) -> dict[str, Any]:
    state = service.form_state(ctx.db, submission, current_language())
    data = _summary(submission)
    data["answers"] = dict(submission.answers)
    data["attachments"] = {k: dict(v) for k, v in submission.attachments.items()}
    data["calculated"] = {k: v for k, v in state.values.items()
                          if k not in submission.answers}
    data["progress"] = round(state.progress, 4)
    tree = evaluate_tree(service.definition_for(ctx.db, submission), submission.answers,
                         current_language())
    data["issues"] = [{"question": i.question, "where": i.where, "kind": i.kind, "message": i.message}
                      for i in tree.issues]
    data["score"] = service.score(ctx.db, submission).to_dict()
    return data


def _print_details(ctx: CliContext, submission: service.Submission) -> None:
    from neascn_desktop.surveys.validation import format_answer

    language = current_language()
    definition = service.definition_for(ctx.db, submission)
    city = service.get_city(ctx.db, submission.city_id)
    state = service.form_state(ctx.db, submission, language)
    readiness = service.score(ctx.db, submission)
    print(_("Response {id}").format(id=submission.id))
    print(_("City: {city}").format(city=city.name_in(language)))
    print(_("Survey: {title} ({form} {version})").format(
        title=definition.title_in(language), form=definition.form_id,
        version=definition.version))
    print(_("Status: {status}").format(status=_status_label(submission.display_status)))
    print(_("Progress: {percent}").format(percent=format_percent(state.progress, language)))
    if readiness.overall is not None:
        print(_("Readiness index: {score} (coverage {coverage})").format(
            score=format_number(readiness.overall, language, 1),
            coverage=format_percent(readiness.coverage, language)))
    for q in definition.questions:
        if q.name in submission.answers:
            value = format_answer(definition, q, submission.answers[q.name], language)
            print(f"  {q.name} = {value}")
    _print_instances(definition, submission.answers, language)
    for issue in evaluate_tree(definition, submission.answers, language).issues:
        print(f"  ! {issue.where}: {issue.message}")


def _print_instances(definition: SurveyDefinition, answers: Mapping[str, Any], language: str,
                     scope_path: str = "", prefix: str = "", indent: str = "  ") -> None:
    """Each repeat's instances, numbered, with the path that names them and their answers."""
    from neascn_desktop.surveys.validation import format_answer

    scope = definition.answer_scopes[scope_path]
    for key, repeat in scope.repeats.items():
        for number, item in enumerate(instances_of(answers, key), start=1):
            path = f"{prefix}{key}[{number}]"
            print(f"{indent}{repeat.label_in(language, definition.default_language)} {number}  "
                  f"({path}, @id={item[INSTANCE_ID]})")
            inner = definition.answer_scopes[repeat.path]
            for name, q in inner.questions.items():
                if name in item:
                    print(f"{indent}  {name} = {format_answer(definition, q, item[name], language)}")
            _print_instances(definition, item, language, repeat.path, f"{path}/", indent + "  ")


def cmd_response_list(ctx: CliContext, args: argparse.Namespace) -> int:
    city_id = service.get_city(ctx.db, args.city).id if args.city else None
    submissions = service.list_submissions(ctx.db, city_id=city_id, form_id=args.form_id)
    from neascn_desktop.demo.marks import demo_ids

    demo = demo_ids(ctx.db)
    if ctx.json:
        ctx.print_json([{**_summary(s), "demo": s.id in demo} for s in submissions])
        return 0
    if not submissions:
        print(_("No responses yet."))
    for s in submissions:
        label = _status_label(s.display_status)
        if s.id in demo:
            label = _("{status} (demo data)").format(status=label)
        print(f"{s.id}  {s.city_id}  {s.form_id}  {label}  {s.updated_at}")
    return 0


def cmd_response_show(ctx: CliContext, args: argparse.Namespace) -> int:
    submission = service.get_submission(ctx.db, args.id)
    if ctx.json:
        ctx.print_json(_details(ctx, submission))
    else:
        _print_details(ctx, submission)
    return 0


def cmd_response_set(ctx: CliContext, args: argparse.Namespace) -> int:
    profile = ctx.profile()
    submission_id = service.resolve_submission_id(ctx.db, args.id)
    assignments: list[tuple[str, str]] = []  # in order: projects[+]/… then projects[-1]/…
    files: dict[str, Path] = {}
    for item in args.assignments:
        name, sep, value = split_assignment(item)
        if not sep or not name.strip():
            raise CliUsageError(_("“{item}” is not NAME=VALUE.").format(item=item))
        if value.startswith("@"):
            files[name.strip()] = Path(value[1:])
        else:
            assignments.append((name.strip(), value))
    language = current_language()
    for name, path in files.items():
        service.attach_file(ctx.db, submission_id, name, path, language=language)
    if files and not assignments:
        service.save_point(ctx.db, profile, submission_id)
    if assignments:
        service.set_answers(ctx.db, profile, submission_id, assignments, language=language)
    submission = service.get_submission(ctx.db, submission_id)
    if ctx.json:
        ctx.print_json(_details(ctx, submission))
    else:
        count = len(assignments) + len(files)
        print(ngettext("Saved {count} answer.", "Saved {count} answers.", count).format(count=count))
    return 0


def cmd_response_remove_instance(ctx: CliContext, args: argparse.Namespace) -> int:
    profile = ctx.profile()
    submission_id = service.resolve_submission_id(ctx.db, args.id)
    entry.remove_instance(ctx.db, submission_id, args.path, language=current_language())
    service.save_point(ctx.db, profile, submission_id)
    if ctx.json:
        ctx.print_json(_details(ctx, service.get_submission(ctx.db, submission_id)))
    else:
        print(_("Removed {path}.").format(path=args.path))
    return 0


def cmd_response_move_instance(ctx: CliContext, args: argparse.Namespace) -> int:
    profile = ctx.profile()
    submission_id = service.resolve_submission_id(ctx.db, args.id)
    if args.position < 1:
        raise CliUsageError(_("POSITION counts from 1."))
    entry.move_instance(ctx.db, submission_id, args.path, args.position, language=current_language())
    service.save_point(ctx.db, profile, submission_id)
    if ctx.json:
        ctx.print_json(_details(ctx, service.get_submission(ctx.db, submission_id)))
    else:
        print(_("Moved {path} to position {position}.").format(path=args.path, position=args.position))
    return 0


def cmd_response_new(ctx: CliContext, args: argparse.Namespace) -> int:
    result = service.create_submission(
        ctx.db, ctx.profile(), args.city, form_id=args.form_id, version=args.form_version,
        language=args.language)
    if ctx.json:
        ctx.print_json(_details(ctx, result.submission))
    else:
        print(_("Started response {id}.").format(id=result.submission.id))
    return 0


def cmd_response_finalize(ctx: CliContext, args: argparse.Namespace) -> int:
    result = service.finalize(ctx.db, ctx.profile(), service.resolve_submission_id(ctx.db, args.id),
                              language=current_language())
    if ctx.json:
        ctx.print_json(_details(ctx, result.submission))
    else:
        print(_("Response {id} is finalized.").format(id=result.submission.id))
    return 0


def cmd_response_reopen(ctx: CliContext, args: argparse.Namespace) -> int:
    result = service.reopen(ctx.db, ctx.profile(), service.resolve_submission_id(ctx.db, args.id))
    if ctx.json:
        ctx.print_json(_details(ctx, result.submission))
    else:
        print(_("Response {id} is open for editing again.").format(id=result.submission.id))
    return 0


# --------------------------------------------------------------------------- demo


def cmd_demo(ctx: CliContext, args: argparse.Namespace) -> int:
    from neascn_desktop.demo.loading import load_into_profile, remove_from_profile

    if args.remove:
        removed = remove_from_profile(ctx.db)
        if ctx.json:
            ctx.print_json(removed.to_dict())
        else:
            print(ngettext("Demo data removed: {count} record.", "Demo data removed: {count} records.",
                           removed.records).format(count=removed.records))
        return 0
    if args.cities < 1:
        raise CliUsageError(_("--cities must be at least 1."))
    loaded = load_into_profile(ctx.db, ctx.profile(), cities=args.cities, seed=args.seed,
                               mark=not args.unmarked)
    report = loaded.report
    if ctx.json:
        ctx.print_json(loaded.to_dict())
    else:
        print(_("Demo data: {created} responses created ({skipped} already there), "
                "{finalized} finalized.").format(created=report.created, skipped=report.skipped,
                                                 finalized=report.finalized))
        if loaded.marked:
            print(_("The demo records are marked as demo: reports and packages leave them out; "
                    "remove them with: neascn demo --remove"))
    return 0
