"""What the data-entry form needs on top of the surveys service: per-section progress, "open or start".

Pure functions of a definition and a :class:`~neascn_desktop.surveys.validation.FormState`
(so the GUI shows the same counts the CLI and finalize would), plus the one
use case the city list needs: continue the city's survey, or start one.
"""

from __future__ import annotations

from dataclasses import dataclass

from neascn_desktop.identity.profile import Profile
from neascn_desktop.store.database import Database
from neascn_desktop.surveys import service
from neascn_desktop.surveys.definition import SurveyDefinition
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
            if not q.is_input or not state.is_relevant(q.name):
                continue
            answerable += 1
            if q.name in state.values:
                answered += 1
            for issue in state.issues_for(q.name):
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
