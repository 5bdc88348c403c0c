"""What the data-entry form needs on top of the surveys service: per-section progress, "open or
start", and the edits of repeat instances (add, remove, move, set an answer inside one).

Pure functions of a definition and a :class:`~neascn_desktop.surveys.validation.FormState`
(so the GUI shows the same counts the CLI and finalize would), plus the one
use case the city list needs: continue the city's survey, or start one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from neascn_desktop.changes import Changes
from neascn_desktop.i18n import N_, _, translate_in
from neascn_desktop.identity.profile import Profile
from neascn_desktop.store.database import Database
from neascn_desktop.surveys import answer_tree, service
from neascn_desktop.surveys.defaults import with_defaults
from neascn_desktop.surveys.definition import SurveyDefinition, SurveyError
from neascn_desktop.surveys.repeat_state import TreeState, evaluate_tree
from neascn_desktop.surveys.validation import FormState


@dataclass(frozen=True)
class SectionProgress:
    """How far a section is: relevant input questions, answered ones, open issues."""

    name: str
    relevant: bool
    answered: int
    answerable: int
    required_missing: int
    issues: int

    @property
    def complete(self) -> bool:
        return self.relevant and self.issues == 0 and (
            self.answerable == 0 or self.required_missing == 0)


def section_progress(definition: SurveyDefinition, state: FormState) -> list[SectionProgress]:
    """One :class:`SectionProgress` per section, in form order."""
    result = []
    for section in definition.sections:
        answered = answerable = missing = issues = 0
        for q in section.questions:
            key = q.key or q.name
            if not q.is_input or not state.is_relevant(key):
                continue
            answerable += 1
            if key in state.values:
                answered += 1
            for issue in state.issues_for(key):
                issues += 1
                if issue.kind == "required":
                    missing += 1
        result.append(SectionProgress(section.name, state.is_relevant(section.name), answered,
                                      answerable, missing, issues))
    return result


def required_progress(definition: SurveyDefinition, state: FormState) -> tuple[int, int]:
    """(answered required questions, required questions) among the relevant ones now."""
    required = [name for name in state.required if definition.has_question(name)]
    return sum(1 for name in required if name in state.values), len(required)


def tree_required_progress(definition: SurveyDefinition, tree: TreeState) -> tuple[int, int]:
    """:func:`required_progress` counting the required questions inside repeat entries too."""
    done, total = required_progress(definition, tree.form)
    inside = [path for path in tree.required if "[" in path]
    return done + sum(1 for path in inside if path in tree.values), total + len(inside)


def city_submission(db: Database, city_id: str, form_id: str) -> service.Submission | None:
    """The submission of a city for a form that the form opens: the most advanced, then newest."""
    rank = {"in_progress": 1, "finalized": 2, "sent": 3, "received": 4}
    candidates = service.list_submissions(db, city_id=city_id, form_id=form_id)
    if not candidates:
        return None
    return max(candidates, key=lambda s: (rank.get(s.display_status, 0), s.updated_at))


def open_or_start(
    db: Database, profile: Profile, city_id: str, *, form_id: str, version: str | None = None,
    language: str | None = None,
) -> tuple[service.Submission, bool]:
    """The city's submission for the form, or a new one (``version``) if there is none.

    Returns the submission and whether it was created now (its changes then
    touch ``response`` and ``revision``).
    """
    existing = city_submission(db, city_id, form_id)
    if existing is not None:
        return existing, False
    result = service.create_submission(db, profile, city_id, form_id=form_id, version=version,
                                       language=language)
    return result.submission, True


# =========================================================================== repeat instances
#
# What the form GUI and the CLI call to edit answers inside repeats (docs/answers.md, "Entry
# API").  Paths as in the CLI: ``projects`` (a repeat), ``projects[2]`` or ``projects[@id=…]``
# (an instance), ``projects[2]/sector`` (an answer).  Each edit goes to the working copy at once,
# like ``service.autosave``; a save point cuts the revision.


@dataclass(frozen=True)
class TreeResult:
    """An edit of the answer tree: the submission, what changed, the new state of the whole
    tree, and for :func:`add_instance` the new instance's id."""

    submission: service.Submission
    changes: Changes
    state: TreeState
    instance_id: str | None = None


def tree_state(db: Database, submission: service.Submission, language: str = "en") -> TreeState:
    """Relevance, values and issues of a submission's whole answer tree."""
    return evaluate_tree(service.definition_for(db, submission), submission.answers, language)


def _edit(db: Database, submission_id: str, language: str,
          change: Callable[[SurveyDefinition, service.Submission], tuple[service.Submission, str | None]],
          ) -> TreeResult:
    submission_id = service.resolve_submission_id(db, submission_id)
    definition = service.definition_for(db, service.get_submission(db, submission_id))
    with db.transaction() as session:
        # Read inside the transaction: an edit is never made on a stale copy.
        current = service._load(session, submission_id)
        if current is None:
            raise SurveyError(_("There is no response {id}.").format(id=submission_id))
        service._editable(current)
        updated, new_id = change(definition, current)
        updated = replace(updated, updated_at=service._now(), unsaved=True)
        service._write_working_copy(session, updated)
    return TreeResult(updated, service._submission_changes(updated.id),
                      evaluate_tree(definition, updated.answers, language), new_id)


def add_instance(db: Database, submission_id: str, repeat_path: str, *,
                 values: Mapping[str, Any] | None = None, language: str = "en") -> TreeResult:
    """Append an instance to a repeat (``projects``, ``projects[1]/partners``), optionally with
    answers (question name -> value, checked like :func:`set_instance_answer`)."""

    def change(definition: SurveyDefinition, current: service.Submission
               ) -> tuple[service.Submission, str | None]:
        location = answer_tree.locate(definition, current.answers, repeat_path)
        if location.repeat is None or location.instance:
            raise answer_tree.PathError(_("{path} is not a repeat; instances are added to a "
                                          "repeat, e.g. projects.").format(path=repeat_path))
        answers, new_id = answer_tree.with_instance(current.answers, location.instances, location.key)
        # The new instance starts with its questions' defaults (ODK's odk-new-repeat).
        answers = with_defaults(definition, answers, (*location.instances, (location.key, new_id)),
                                language)
        updated = replace(current, answers=answers)
        prefix = answer_tree.canonical_path(location.instances, f"{location.key}[@id={new_id}]")
        if values:
            updated = service._apply(definition, updated, {
                f"{prefix}/{name}": value for name, value in values.items()})
        return updated, new_id

    return _edit(db, submission_id, language, change)


def _instance_at(definition: SurveyDefinition, answers: Mapping[str, Any],
                 path: str) -> answer_tree.Location:
    location = answer_tree.locate(definition, answers, path)
    if not location.instance:
        raise answer_tree.PathError(_("{path} does not name one instance; write e.g. projects[2] "
                                      "or projects[@id=…].").format(path=path))
    return location


def remove_instance(db: Database, submission_id: str, instance_path: str, *,
                    language: str = "en") -> TreeResult:
    """Remove one instance (``projects[2]``, ``projects[@id=…]``) with its answers, nested
    repeats and attachments."""

    def change(definition: SurveyDefinition, current: service.Submission
               ) -> tuple[service.Submission, str | None]:
        location = _instance_at(definition, current.answers, instance_path)
        prefix = answer_tree.canonical_path(location.instances[:-1], "{}[@id={}]".format(
            *location.instances[-1]))
        attachments = {k: dict(v) for k, v in current.attachments.items()
                       if not k.startswith(f"{prefix}/")}
        return replace(current, answers=answer_tree.without_instance(
            current.answers, location.instances), attachments=attachments), None

    return _edit(db, submission_id, language, change)


def move_instance(db: Database, submission_id: str, instance_path: str, position: int, *,
                  language: str = "en") -> TreeResult:
    """Move one instance to ``position`` among its repeat's instances (counted from 1)."""

    def change(definition: SurveyDefinition, current: service.Submission
               ) -> tuple[service.Submission, str | None]:
        location = _instance_at(definition, current.answers, instance_path)
        return replace(current, answers=answer_tree.with_instance_moved(
            current.answers, location.instances, position)), None

    return _edit(db, submission_id, language, change)


def set_instance_answer(db: Database, submission_id: str, path: str, value: Any, *,
                        language: str = "en") -> TreeResult:
    """Set one answer by path (``projects[2]/sector``; any answer key works too) to a value as a
    widget produces it (``None`` clears); ``AnswerError`` if the question cannot hold it."""

    def change(definition: SurveyDefinition, current: service.Submission
               ) -> tuple[service.Submission, str | None]:
        return service._apply(definition, current, {path: value}), None

    return _edit(db, submission_id, language, change)


@dataclass(frozen=True)
class InstanceSummary:
    """One instance of a repeat as a list shows it: ``title`` "Project 2", ``summary`` its first
    text answer (a name, usually), ``path`` the canonical path (``projects[@id=…]``)."""

    id: str
    position: int
    path: str
    title: str
    summary: str


def list_instances(definition: SurveyDefinition, answers: Mapping[str, Any], repeat_path: str,
                   language: str = "en") -> list[InstanceSummary]:
    """The instances of a repeat (``projects``, ``projects[1]/partners``) in order."""
    location = answer_tree.locate(definition, answers, repeat_path)
    if location.repeat is None or location.instance:
        raise answer_tree.PathError(_("{path} is not a repeat; instances are added to a "
                                      "repeat, e.g. projects.").format(path=repeat_path))
    parent = answer_tree.find_instance(answers, location.instances) if location.instances else answers
    scope = definition.answer_scopes[location.repeat.path]
    texts = [key for key, q in scope.questions.items() if q.type == "text"]
    label = location.repeat.label_in(language, definition.default_language)
    result = []
    for position, item in enumerate(answer_tree.instances_of(parent or {}, location.key), start=1):
        instance_id = str(item[answer_tree.INSTANCE_ID])
        summary = next((str(item[k]) for k in texts if item.get(k)), "")
        result.append(InstanceSummary(
            instance_id, position,
            answer_tree.canonical_path(location.instances, f"{location.key}[@id={instance_id}]"),
            translate_in(language, N_("{label} {number}")).format(label=label, number=position),
            summary))
    return result
