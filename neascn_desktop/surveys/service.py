"""The surveys room's use cases, called by both the CLI and the GUI.

Survey definitions, cities and submissions are entities in the revision log
(``survey_definition``, ``city``, ``submission``; see the shared entity notes).
Definitions and cities, with the built-in ones, live in ``surveys.installed``
(re-exported here); this module holds the submissions.

Editing a submission writes a local *working copy* on every change (instant,
never lost); a *save point* (explicit save, closing the form, finalize, the CLI)
cuts a revision from it.  If revisions of the same submission arrived meanwhile
(a package import), the save point merges field by field against the revision
the edit started from, so nothing typed and nothing imported is lost.

Every writing use case returns :class:`~neascn_desktop.changes.Changes` (or a
result object with a ``changes`` attribute) using the GUI's entity type nouns:
``survey``, ``response``, ``city``, ``attachment``, ``revision``.
"""

from __future__ import annotations

import json
import mimetypes
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from neascn_desktop import replica
from neascn_desktop.changes import Changes
from neascn_desktop.i18n import _, ngettext
from neascn_desktop.identity.profile import Profile
from neascn_desktop.replica.revision import canonical_json
from neascn_desktop.store import attachments
from neascn_desktop.store.database import Database
from neascn_desktop.surveys import answer_tree, metadata, triggers
from neascn_desktop.surveys.defaults import with_defaults
from neascn_desktop.surveys.definition import (
    BUILTIN_FORM_ID,
    SUBMISSION_NESTED_FIELDS,
    SurveyDefinition,
    SurveyError,
)
from neascn_desktop.surveys.installed import (
    BUILTIN_CLOCK,
    BUILTIN_DEVICE_ID,
    CITY,
    COUNTRIES,
    DEFINITION,
    City,
    DefinitionInfo,
    builtin_cities_path,
    builtin_survey_paths,
    city_from_payload,
    ensure_builtin,
    export_xlsform_file,
    export_xlsform_with_media,
    get_city,
    get_definition,
    import_xlsform_checked,
    import_xlsform_file,
    install_definition,
    list_cities,
    list_definitions,
    save_city,
)
from neascn_desktop.surveys.models import SubmissionWorkingCopyRow
from neascn_desktop.surveys.repeat_state import TreeIssue, evaluate_tree
from neascn_desktop.surveys.scoring import ReadinessScore, score_submission
from neascn_desktop.surveys.sent import mark_received, mark_sent, sent_revisions
from neascn_desktop.surveys.validation import (
    AnswerError,
    FormState,
    Issue,
    coerce_answer,
    evaluate_form,
    normalize_answer,
)

SUBMISSION = "submission"
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
STATUSES = ("not_started", "in_progress", "finalized", "sent", "received")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# =========================================================================== submissions


@dataclass(frozen=True)
class Submission:
    """A submission as shown: its working copy when one exists, else its current revision."""

    id: str
    form_id: str
    form_version: str
    city_id: str
    status: str  # in_progress | finalized
    answers: Mapping[str, Any]
    attachments: Mapping[str, Mapping[str, Any]]
    enumerator: str
    device_id: str
    started_at: str
    updated_at: str
    finalized_at: str | None
    language: str
    revision_id: str | None = None
    unsaved: bool = False
    in_conflict: bool = False
    sent: bool = False
    received: bool = False  # the secretariat acknowledged holding the current revision

    @property
    def display_status(self) -> str:
        """``in_progress`` or ``finalized`` (not sent), ``sent`` (the exported revision is still
        current; waiting for the secretariat) or ``received`` (the secretariat acknowledged it)."""
        if self.unsaved:
            return self.status
        return "received" if self.received else "sent" if self.sent else self.status

    @property
    def delivery(self) -> str:
        """``not_sent``, ``sent`` or ``received``: how far the current content travelled."""
        shown = self.display_status
        return shown if shown in ("sent", "received") else "not_sent"

    @property
    def finalized(self) -> bool:
        return self.status == "finalized"

    def payload(self) -> dict[str, Any]:
        return {
            "form_id": self.form_id, "form_version": self.form_version, "city_id": self.city_id,
            "status": self.status, "answers": dict(self.answers),
            "attachments": {k: dict(v) for k, v in self.attachments.items()},
            "enumerator": self.enumerator, "device_id": self.device_id,
            "started_at": self.started_at, "updated_at": self.updated_at,
            "finalized_at": self.finalized_at, "language": self.language,
        }


@dataclass(frozen=True)
class SubmissionResult:
    submission: Submission
    changes: Changes
    state: FormState | None = None


class FinalizeError(SurveyError):
    """Finalize refused: some answers are missing or not allowed (``issues`` lists them)."""

    def __init__(self, message: str, issues: Sequence[Issue | TreeIssue]) -> None:
        super().__init__(message)
        self.issues = tuple(issues)


def _from_payload(submission_id: str, payload: Mapping[str, Any], **meta: Any) -> Submission:
    return Submission(
        id=submission_id,
        form_id=str(payload.get("form_id", "")),
        form_version=str(payload.get("form_version", "")),
        city_id=str(payload.get("city_id", "")),
        status=str(payload.get("status", "in_progress")),
        answers=dict(payload.get("answers") or {}),
        attachments=dict(payload.get("attachments") or {}),
        enumerator=str(payload.get("enumerator", "")),
        device_id=str(payload.get("device_id", "")),
        started_at=str(payload.get("started_at", "")),
        updated_at=str(payload.get("updated_at", "")),
        finalized_at=payload.get("finalized_at"),
        language=str(payload.get("language", "en")),
        **meta,
    )


def _load(session: Session, submission_id: str) -> Submission | None:
    state = replica.current(session, SUBMISSION, submission_id)
    working = session.get(SubmissionWorkingCopyRow, submission_id)
    known = sent_revisions(session, [submission_id])
    sent = bool(state and (submission_id, state.revision_id) in known)
    received = bool(state and known.get((submission_id, state.revision_id)))
    if working is not None:
        payload = json.loads(working.payload)
        unsaved = state is None or canonical_json(state.payload) != working.payload
        return _from_payload(submission_id, payload,
                             revision_id=state.revision_id if state else None, unsaved=unsaved,
                             in_conflict=bool(state and state.in_conflict), sent=sent, received=received)
    if state is None:
        return None
    return _from_payload(submission_id, state.payload, revision_id=state.revision_id,
                         in_conflict=state.in_conflict, sent=sent, received=received)


def resolve_submission_id(db: Database, text: str) -> str:
    """A full submission id from an id or an unambiguous prefix of at least 4 characters."""
    text = text.strip()
    with db.session() as session:
        if (
            replica.current(session, SUBMISSION, text) is not None
            or session.get(SubmissionWorkingCopyRow, text) is not None
        ):
            return text
    if len(text) >= 4:
        matches = [s.entity_id for s in replica.list_current(db, SUBMISSION)
                   if s.entity_id.startswith(text)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise SurveyError(_("The id {id} is ambiguous; give more characters.").format(id=text))
    raise SurveyError(_("There is no response {id}.").format(id=text))


def get_submission(db: Database, submission_id: str) -> Submission:
    submission_id = resolve_submission_id(db, submission_id)
    with db.session() as session:
        found = _load(session, submission_id)
    if found is None:
        raise SurveyError(_("There is no response {id}.").format(id=submission_id))
    return found


def list_submissions(db: Database, *, city_id: str | None = None,
                     form_id: str | None = None) -> list[Submission]:
    """Every submission (working copies included), newest change first."""
    with db.session() as session:
        sent = sent_revisions(session)
        working = {row.submission_id: row for row in session.scalars(select(SubmissionWorkingCopyRow))}
    result: dict[str, Submission] = {}
    for state in replica.list_current(db, SUBMISSION):
        row = working.pop(state.entity_id, None)
        is_sent = (state.entity_id, state.revision_id) in sent
        is_received = sent.get((state.entity_id, state.revision_id), False)
        if row is not None:
            result[state.entity_id] = _from_payload(
                state.entity_id, json.loads(row.payload), revision_id=state.revision_id,
                unsaved=canonical_json(state.payload) != row.payload,
                in_conflict=state.in_conflict, sent=is_sent, received=is_received)
        else:
            result[state.entity_id] = _from_payload(
                state.entity_id, state.payload, revision_id=state.revision_id,
                in_conflict=state.in_conflict, sent=is_sent, received=is_received)
    for submission_id, row in working.items():
        result[submission_id] = _from_payload(submission_id, json.loads(row.payload), unsaved=True)
    items = [s for s in result.values()
             if (city_id is None or s.city_id == city_id) and (form_id is None or s.form_id == form_id)]
    return sorted(items, key=lambda s: (s.updated_at, s.id), reverse=True)


def definition_for(db: Database, submission: Submission) -> SurveyDefinition:
    return get_definition(db, submission.form_id, submission.form_version)


def form_state(db: Database, submission: Submission, language: str = "en") -> FormState:
    return evaluate_form(definition_for(db, submission), submission.answers, language)


def score(db: Database, submission: Submission) -> ReadinessScore:
    return score_submission(definition_for(db, submission), submission.answers)


def create_submission(
    db: Database, profile: Profile, city_id: str, *, form_id: str = BUILTIN_FORM_ID,
    version: str | None = None, language: str | None = None,
    submission_id: str | None = None, now: str | None = None,
) -> SubmissionResult:
    """Start a new submission for a city with the form's ``default`` answers (a first revision
    is cut right away)."""
    definition = get_definition(db, form_id, version)
    city = get_city(db, city_id)
    stamp = now or _now()
    # Device facts first (start, today, deviceid ...), so a default may refer to them.
    answers = with_defaults(definition, metadata.facts_at_start(definition, profile, stamp),
                            language=language or profile.language)
    submission = Submission(
        id=submission_id or str(uuid.uuid4()), form_id=definition.form_id,
        form_version=definition.version, city_id=city.id, status="in_progress", answers=answers,
        attachments={}, enumerator=profile.display_name, device_id=profile.device_id,
        started_at=stamp, updated_at=stamp, finalized_at=None,
        language=language or profile.language,
    )
    revision = replica.commit(db, profile.device_id, SUBMISSION, submission.id, submission.payload())
    submission = replace(submission, revision_id=revision.id)
    return SubmissionResult(submission, _submission_changes(submission.id, revision=True))


def _submission_changes(submission_id: str, revision: bool = False) -> Changes:
    nouns = {"response", "revision"} if revision else {"response"}
    return Changes(frozenset(nouns), frozenset({submission_id}))


def _write_working_copy(session: Session, submission: Submission) -> None:
    row = session.get(SubmissionWorkingCopyRow, submission.id)
    text = canonical_json(submission.payload())
    if row is None:
        session.add(SubmissionWorkingCopyRow(submission_id=submission.id, payload=text,
                                   base_revision_id=submission.revision_id,
                                   updated_at=datetime.now(UTC)))
    else:
        row.payload = text
        row.updated_at = datetime.now(UTC)


def _apply(definition: SurveyDefinition, submission: Submission,
           values: Mapping[str, Any]) -> Submission:
    """Checked values set by answer key or path (``projects[2]/sector``, ``projects[+]/name``;
    see docs/answers.md), in order, so ``projects[-1]/…`` finds an instance added just before."""
    for name, value in values.items():
        submission = _apply_at(definition, submission,
                               _question_at(definition, submission.answers, name), value)
    return submission


def _apply_at(definition: SurveyDefinition, submission: Submission,
              location: answer_tree.Location, value: Any) -> Submission:
    question = location.question
    assert question is not None
    stored = normalize_answer(definition, question, value)
    place = (answer_tree.find_instance(submission.answers, location.instances)
             if location.instances else submission.answers)
    before = (place or {}).get(location.key)
    answers = answer_tree.with_value(submission.answers, location, stored)
    if stored != before:  # ODK's xforms-value-changed: the ``trigger`` column's questions
        answers = triggers.fire(definition, answers, location, submission.language or "en")
    for depth, (_key, instance_id) in enumerate(location.instances):
        if instance_id in location.added:  # a new instance (``[+]``) starts with its defaults
            answers = with_defaults(definition, answers, location.instances[:depth + 1])
    attachments = {k: dict(v) for k, v in submission.attachments.items()}
    key = location.canonical()
    if stored is None:
        attachments.pop(key, None)
    elif question.type == "attachment" and attachments.get(key, {}).get("sha256") != stored:
        attachments.pop(key, None)
    return replace(submission, answers=answers, attachments=attachments, updated_at=_now())


def _question_at(definition: SurveyDefinition, answers: Mapping[str, Any],
                 path: str) -> answer_tree.Location:
    """Where a question's answer goes (``[+]`` makes a new instance); a path that names a
    repeat or an instance, not a question, is refused."""
    location = answer_tree.locate(definition, answers, path, create=True)
    if location.question is None:
        raise answer_tree.PathError(_("{path} names a repeat or one of its instances, not a "
                                      "question; add the question's name, e.g. "
                                      "{path}/name.").format(path=path))
    return location


def typed_at(definition: SurveyDefinition, answers: Mapping[str, Any], path: str, text: str, *,
             language: str = "en") -> tuple[answer_tree.Location, Any]:
    """Where ``text`` typed for ``path`` (a name or an answer path, docs/answers.md) goes, and its
    answer as the form reads it: ``response set`` and ``conflicts resolve --set`` both use this."""
    location = _question_at(definition, answers, path)
    assert location.question is not None
    return location, coerce_answer(definition, location.question, text, language)


def answers_with_typed(definition: SurveyDefinition, answers: Mapping[str, Any], path: str, text: str, *,
                       language: str = "en") -> dict[str, Any]:
    """``answers`` with ``text`` typed at ``path`` (``typed_at``); ``None`` (empty text) clears."""
    location, value = typed_at(definition, answers, path, text, language=language)
    assert location.question is not None
    return answer_tree.with_value(answers, location, normalize_answer(definition, location.question, value))


def _editable(submission: Submission) -> None:
    if submission.finalized:
        raise SurveyError(_("This response is finalized; reopen it before changing answers."))


def autosave(db: Database, submission_id: str, values: Mapping[str, Any],
             *, language: str = "en") -> SubmissionResult:
    """Record changed answers (name -> value, ``None`` clears) in the working copy at once.

    Values are checked for their type (``AnswerError``); constraint and required
    problems do not block saving — they are reported in ``result.state``.
    """
    definition = definition_for(db, get_submission(db, submission_id))
    with db.transaction() as session:
        submission = _load(session, submission_id)
        if submission is None:
            raise SurveyError(_("There is no response {id}.").format(id=submission_id))
        _editable(submission)
        updated = replace(_apply(definition, submission, values), unsaved=True)
        _write_working_copy(session, updated)
    state = evaluate_form(definition, updated.answers, language)
    return SubmissionResult(updated, _submission_changes(submission_id), state)


def _merged_payload(base: Mapping[str, Any], ours: Mapping[str, Any],
                    theirs: Mapping[str, Any]) -> dict[str, Any]:
    """Our changes since ``base`` applied on ``theirs``, answer by answer (ours win a conflict)."""
    merged = replica.three_way_merge(base, ours, theirs, nested=SUBMISSION_NESTED_FIELDS).merged
    return _with_attachment_entries(merged, ours, theirs)


def _with_attachment_entries(merged: dict[str, Any], *sides: Mapping[str, Any]) -> dict[str, Any]:
    """An instance removed on one side and edited on the other is kept by the merge; so is the
    entry (file name, size) of an attachment answered in it, which the removing side dropped."""
    entries = merged.get("attachments")
    if not isinstance(entries, dict):
        return merged
    for answer in answer_tree.walk_answers(None, merged.get("answers") or {}):
        if not answer.instances or not isinstance(answer.value, str) or answer.path in entries:
            continue
        for side in sides:
            entry = (side.get("attachments") or {}).get(answer.path)
            if isinstance(entry, Mapping) and entry.get("sha256") == answer.value:
                entries[answer.path] = dict(entry)
                break
    return merged


def _cut(session: Session, profile: Profile, submission_id: str,
         payload: Mapping[str, Any] | None = None) -> replica.Revision | None:
    """Commit the working copy (or ``payload``) as a revision; drop the working copy.

    A submission whose heads differ (a conflict from two devices) is not
    committed on: that would settle the conflict silently with this version.
    The working copy stays until the conflict is resolved.
    """
    row = session.get(SubmissionWorkingCopyRow, submission_id)
    state = replica.current(session, SUBMISSION, submission_id)
    if state is not None and state.in_conflict and _really_in_conflict(session, submission_id):
        raise SurveyError(_("This response has versions in conflict from several devices; "
                            "resolve the conflict first."))
    if payload is None:
        if row is None:
            return None
        payload = json.loads(row.payload)
        if row.base_revision_id and state is not None and row.base_revision_id != state.revision_id:
            base = replica.get_revision(session, row.base_revision_id)
            if base is not None:
                payload = _merged_payload(base.payload, payload, state.payload)
    revision: replica.Revision | None = None
    if state is None or state.in_conflict or canonical_json(state.payload) != canonical_json(payload):
        revision = replica.commit(session, profile.device_id, SUBMISSION, submission_id, payload)
    if row is not None:
        session.delete(row)
    return revision


def _really_in_conflict(session: Session, submission_id: str) -> bool:
    payloads = {rev.payload_json for rev in replica.heads(session, submission_id)}
    return len(payloads) > 1


def save_point(db: Database, profile: Profile, submission_id: str) -> Changes:
    """Cut a revision from the working copy (explicit save, closing the form, export)."""
    with db.transaction() as session:
        revision = _cut(session, profile, submission_id)
    return _submission_changes(submission_id, revision=True) if revision else Changes()


def save_all(db: Database, profile: Profile) -> Changes:
    """Cut revisions for every working copy (before exporting a package, on quit)."""
    with db.session() as session:
        ids = list(session.execute(select(SubmissionWorkingCopyRow.submission_id)).scalars())
    changes = Changes()
    for submission_id in ids:
        changes = changes | save_point(db, profile, submission_id)
    return changes


def discard_working_copy(db: Database, submission_id: str) -> Changes:
    with db.transaction() as session:
        session.execute(
            delete(SubmissionWorkingCopyRow).where(SubmissionWorkingCopyRow.submission_id == submission_id)
        )
    return _submission_changes(submission_id)


def set_answers(
    db: Database, profile: Profile, submission_id: str,
    assignments: Mapping[str, str] | Sequence[tuple[str, str]], *, language: str = "en",
) -> SubmissionResult:
    """Set answers from typed text (``NAME=VALUE`` on the command line) and cut a revision.

    Goes through the same checks as the form: each value must fit its question,
    the question must be relevant given the other answers, and its constraint
    must hold; otherwise nothing is saved.  Names may be answer paths (``projects[2]/sector``,
    ``projects[+]/name`` appends an instance, ``projects[-1]/…`` is the last; docs/answers.md),
    applied in order — give a sequence of pairs to append several instances in one call.
    """
    submission = get_submission(db, submission_id)
    _editable(submission)
    definition = definition_for(db, submission)
    candidate = submission
    typed: list[tuple[str, str]] = []
    pairs = list(assignments.items()) if isinstance(assignments, Mapping) else list(assignments)
    for name, text in pairs:
        location, value = typed_at(definition, candidate.answers, name, text, language=language)
        candidate = _apply_at(definition, candidate, location, value)
        if value is not None:
            # the path with ids: positions and [+] mean something else once applied
            typed.append((name, location.canonical()))
    state = evaluate_tree(definition, candidate.answers, language)
    for name, path in typed:
        if not state.is_relevant(path):
            raise AnswerError(_("{question} is not asked with the other answers given "
                                "(its relevance rule is false).").format(question=name))
        for issue in state.issues_at(path):
            if issue.kind != "required":
                raise AnswerError(_("{question}: {message}").format(
                    question=name, message=issue.message))
    with db.transaction() as session:
        _write_working_copy(session, candidate)
        revision = _cut(session, profile, submission.id)
    result = get_submission(db, submission.id)
    return SubmissionResult(result, _submission_changes(submission.id, revision=revision is not None),
                            state.form)


def finalize(db: Database, profile: Profile, submission_id: str, *,
             language: str = "en") -> SubmissionResult:
    """Validate every answer, then lock the submission (status finalized) and cut a revision."""
    submission = get_submission(db, submission_id)
    definition = definition_for(db, submission)
    tree = evaluate_tree(definition, submission.answers, language)
    state = tree.form
    if tree.issues:
        # Inside a repeat the place is told in words ("Project 2 › Sector"), never by its path.
        first = tree.issues[0]
        raise FinalizeError(ngettext(
            "{count} question needs attention before finalizing: “{label}”: {message}",
            "{count} questions need attention before finalizing; the first is “{label}”: {message}",
            len(tree.issues)).format(count=len(tree.issues), label=first.where, message=first.message),
            tree.issues)
    stamp = _now()
    answers = triggers.with_calculated_inputs(definition, submission.answers, tree)
    final = replace(submission, status="finalized", finalized_at=stamp, updated_at=stamp,
                    answers=metadata.facts_at_end(definition, answers, stamp))
    with db.transaction() as session:
        row = session.get(SubmissionWorkingCopyRow, submission.id)
        payload = final.payload()
        if row is not None and row.base_revision_id:
            current_state = replica.current(session, SUBMISSION, submission.id)
            base = replica.get_revision(session, row.base_revision_id)
            if current_state and base and current_state.revision_id != base.id:
                payload = _merged_payload(base.payload, payload, current_state.payload)
        _cut(session, profile, submission.id, payload)
    return SubmissionResult(get_submission(db, submission.id),
                            _submission_changes(submission.id, revision=True), state)


def reopen(db: Database, profile: Profile, submission_id: str) -> SubmissionResult:
    """Unlock a finalized submission for editing (a new revision with status in progress)."""
    submission = get_submission(db, submission_id)
    if not submission.finalized:
        return SubmissionResult(submission, Changes())
    opened = replace(submission, status="in_progress", finalized_at=None, updated_at=_now())
    with db.transaction() as session:
        _cut(session, profile, submission.id, opened.payload())
    return SubmissionResult(get_submission(db, submission.id),
                            _submission_changes(submission.id, revision=True))


# =========================================================================== attachments


@dataclass(frozen=True)
class AttachmentInfo:
    sha256: str
    filename: str
    size: int
    media_type: str

    def to_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "filename": self.filename, "size": self.size,
                "media_type": self.media_type}


def store_attachment(db: Database, path: Path, *, limit: int = MAX_ATTACHMENT_BYTES) -> AttachmentInfo:
    """Copy a file into the content-addressed attachment folder (named by its SHA-256)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SurveyError(_("Cannot read {path}: {reason}").format(
            path=path, reason=exc.strerror or exc)) from exc
    if not path.is_file():
        raise SurveyError(_("{path} is not a file.").format(path=path))
    if size > limit:
        raise SurveyError(_("{name} is larger than the limit of {limit} MB.").format(
            name=path.name, limit=limit // (1024 * 1024)))
    try:
        # Durable (fsynced and renamed into place) before the working copy that names it is saved.
        with path.open("rb") as source:
            sha, size = attachments.store_stream(db.attachments_dir(), source)
    except OSError as exc:
        raise SurveyError(_("Cannot copy {path}: {reason}").format(
            path=path, reason=exc.strerror or exc)) from exc
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return AttachmentInfo(sha, path.name, size, media_type)


def attachment_path(db: Database, sha256: str) -> Path:
    return db.attachments_dir() / sha256


def attach_file(db: Database, submission_id: str, question: str, path: Path,
                *, language: str = "en") -> SubmissionResult:
    """Attach a file as the answer of an attachment question (autosaved to the working copy)."""
    submission = get_submission(db, submission_id)
    _editable(submission)
    definition = definition_for(db, submission)
    q = _question_at(definition, submission.answers, question).question
    assert q is not None
    if q.type != "attachment":
        raise AnswerError(_("{question} does not take a file.").format(question=question))
    info = store_attachment(db, path)
    with db.transaction() as session:
        current = _load(session, submission.id)
        assert current is not None
        location = _question_at(definition, current.answers, question)
        updated = _apply_at(definition, current, location, info.sha256)
        attachments = {k: dict(v) for k, v in updated.attachments.items()}
        attachments[location.canonical()] = info.to_dict()
        updated = replace(updated, attachments=attachments, unsaved=True)
        _write_working_copy(session, updated)
    state = evaluate_form(definition, updated.answers, language)
    changes = _submission_changes(submission.id) | Changes(frozenset({"attachment"}),
                                                           frozenset({info.sha256}))
    return SubmissionResult(updated, changes, state)


# =========================================================================== per city


@dataclass(frozen=True)
class CityStatus:
    city: City
    status: str  # not_started | in_progress | finalized | sent | received
    submission: Submission | None = None
    score: ReadinessScore | None = None
    submissions: int = 0
    #: the submission shown is demo data loaded into this profile (``demo.marks``)
    demo: bool = False


_STATUS_RANK = {"in_progress": 1, "finalized": 2, "sent": 3, "received": 4}


def city_statuses(db: Database, form_id: str | None = None) -> list[CityStatus]:
    """Each city with its most advanced submission (of a form, or of any), its status and score.

    A real submission always speaks for its city before demo data loaded into
    the profile does, however advanced the demo one is.
    """
    from neascn_desktop.demo.marks import demo_ids

    demo = demo_ids(db)
    by_city: dict[str, list[Submission]] = {}
    for submission in list_submissions(db, form_id=form_id):
        by_city.setdefault(submission.city_id, []).append(submission)
    result = []
    for city in list_cities(db):
        candidates = by_city.get(city.id, [])
        if not candidates:
            result.append(CityStatus(city, "not_started"))
            continue
        best = max(candidates, key=lambda s: (s.id not in demo, _STATUS_RANK.get(s.display_status, 0),
                                              s.updated_at))
        result.append(CityStatus(city, best.display_status, best, score(db, best), len(candidates),
                                 demo=best.id in demo))
    return result


# =========================================================================== figures


def submission_figures(db: Database) -> dict[str, int]:
    """``submissions`` (current submissions) and ``answers`` (answered questions across them)."""
    states = replica.list_current(db, SUBMISSION)
    return {"submissions": len(states),
            "answers": sum(len(s.payload.get("answers") or {}) for s in states)}


__all__ = [
    "AttachmentInfo", "City", "CityStatus", "DefinitionInfo", "FinalizeError", "Submission",
    "SubmissionResult", "attach_file", "autosave", "city_statuses", "create_submission",
    "ensure_builtin", "finalize", "get_city", "get_definition", "get_submission",
    "install_definition", "list_cities", "list_definitions", "list_submissions", "mark_received", "mark_sent",
    "reopen", "save_all", "save_city", "save_point", "score", "set_answers", "store_attachment",
]


# Definitions and cities by the names they always had (``surveys.installed``).
__all__ += [
    "BUILTIN_CLOCK", "BUILTIN_DEVICE_ID", "CITY", "COUNTRIES", "DEFINITION", "City", "DefinitionInfo",
    "builtin_cities_path", "builtin_survey_paths", "city_from_payload", "ensure_builtin",
    "export_xlsform_file", "export_xlsform_with_media", "get_city", "get_definition", "import_xlsform_checked", "import_xlsform_file", "install_definition",
    "list_cities", "list_definitions", "save_city",
]
