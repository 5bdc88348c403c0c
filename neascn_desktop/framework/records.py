"""What the framework's use-case modules share: a section's record, its fields, change names."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from neascn_desktop import replica
from neascn_desktop.changes import Changes
from neascn_desktop.framework.model import (
    COMMENT_TYPE,
    SECTION_TYPE,
    STATUSES,
    FrameworkError,
)
from neascn_desktop.i18n import _
from neascn_desktop.replica.revision import Revision, canonical_json

#: Fields of a section payload other than the body (merged field by field).
META_FIELDS = ("parent_id", "position", "title", "status", "owner", "language", "deleted")


def section_changes(*ids: str) -> Changes:
    return Changes.of_entities([SECTION_TYPE], ids)


def comment_changes(*ids: str) -> Changes:
    return Changes.of_entities([COMMENT_TYPE], ids)


def distinct_payloads(heads: Iterable[Revision]) -> list[Revision]:
    """Heads with different content, winner first (identical merges count once)."""
    seen: set[str] = set()
    out = []
    for head in heads:
        key = canonical_json(head.payload)
        if key not in seen:
            seen.add(key)
            out.append(head)
    return out


def section_state(session: Session, section_id: str) -> replica.CurrentState:
    state = replica.current(session, SECTION_TYPE, section_id)
    if state is None:
        raise FrameworkError(
            _("There is no section {ref} in the framework.").format(ref=section_id)
        )
    return state


def check_status(status: str) -> None:
    if status not in STATUSES:
        raise FrameworkError(
            _("Unknown status {status}; choose one of: {choices}.").format(
                status=status, choices=", ".join(STATUSES)
            )
        )


