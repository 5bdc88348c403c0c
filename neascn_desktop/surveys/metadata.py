"""Device facts of an XLSForm (``start``, ``end``, ``today``, ``deviceid``, ``username`` ...):
recorded from the profile and the clock, never asked (see ``docs/xlsform.md``).

What a laptop does not have — a phone number, a SIM serial, an e-mail address in the profile,
a geopoint at start, ODK Collect's audit log — stays unanswered, as ODK leaves it when the
device cannot tell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from neascn_desktop.surveys.definition import Question, SurveyDefinition

if TYPE_CHECKING:
    from neascn_desktop.identity.profile import Profile

_ALIASES = {"imei": "deviceid", "uri:deviceid": "deviceid", "uri:username": "username"}


def metadata_kind(question: Question) -> str:
    """``start``, ``end``, ``today``, ``deviceid``, ``username`` ... (aliases resolved)."""
    kind = question.extra.get("xlsform_type", question.name).strip().lower()
    return _ALIASES.get(kind, kind)


def _recorded(definition: SurveyDefinition) -> list[Question]:
    # Answered once per response: device facts inside a repeat have no instance to go to.
    return [q for q in definition.questions if q.type == "metadata" and q.repeat is None]


def facts_at_start(definition: SurveyDefinition, profile: Profile, stamp: str) -> dict[str, str]:
    """The answers a new response starts with (``stamp``: the ISO 8601 time it starts)."""
    known = {"start": stamp, "end": stamp, "today": stamp[:10],
             "deviceid": profile.device_id, "username": profile.display_name}
    return {q.key or q.name: known[metadata_kind(q)] for q in _recorded(definition)
            if known.get(metadata_kind(q))}


def facts_at_end(definition: SurveyDefinition, answers: Mapping[str, object],
                 stamp: str) -> dict[str, object]:
    """``answers`` with every ``end`` question set to ``stamp`` (the time it is finalized)."""
    ends = [q.key or q.name for q in _recorded(definition) if metadata_kind(q) == "end"]
    return {**answers, **dict.fromkeys(ends, stamp)} if ends else dict(answers)
