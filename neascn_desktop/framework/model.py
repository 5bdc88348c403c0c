"""Values of the framework document: sections, comments, revisions, diffs and merge proposals.

Frozen dataclasses that cross from the use cases (``framework.service``) to
the GUI and the CLI; the payload shapes in the revision log are described in
``docs/framework.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from neascn_desktop.errors import NeascnError
from neascn_desktop.framework.textmerge import DiffChunk
from neascn_desktop.i18n import N_, _

SECTION_TYPE = "framework_section"
COMMENT_TYPE = "framework_comment"

#: Review statuses of a section and their display names (translate with ``_()``).
STATUSES: dict[str, str] = {
    "draft": N_("Draft"),
    "in_review": N_("In review"),
    "agreed": N_("Agreed"),
}

#: Section fields a diff reports besides the body, with their display names.
FIELD_LABELS: dict[str, str] = {
    "title": N_("Title"),
    "body": N_("Text"),
    "status": N_("Status"),
    "owner": N_("Owner"),
    "parent_id": N_("Place in the outline"),
    "position": N_("Order"),
    "language": N_("Language"),
    "deleted": N_("Deleted"),
}


class FrameworkError(NeascnError):
    """A framework operation cannot be done; ``str()`` is one user-facing sentence."""


def status_label(status: str) -> str:
    return _(STATUSES.get(status, status))


def field_label(name: str) -> str:
    return _(FIELD_LABELS.get(name, name))


@dataclass(frozen=True)
class Section:
    """One section as displayed: the current state, with this device's working copy applied.

    ``number`` ("2.1") and ``depth`` come from the outline; ``in_conflict`` is
    true when the section has several heads with different content.
    """

    id: str
    parent_id: str | None
    position: str
    title: str
    body: str
    status: str
    owner: str
    language: str
    deleted: bool
    revision_id: str
    in_conflict: bool = False
    has_working_copy: bool = False
    number: str = ""
    depth: int = 0

    @property
    def status_label(self) -> str:
        return status_label(self.status)


@dataclass(frozen=True)
class Comment:
    id: str
    section_id: str
    reply_to: str | None
    author: str
    device_id: str
    text: str
    created_at: str
    resolved: bool
    revision_id: str


@dataclass(frozen=True)
class RevisionInfo:
    """One revision of a section for the history list."""

    revision_id: str
    parents: tuple[str, ...]
    author: str
    device_id: str
    time: datetime
    title: str
    status: str
    changed: tuple[str, ...]

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    @property
    def label(self) -> str:
        return field_label(self.field)


@dataclass(frozen=True)
class SectionDiff:
    """What changed between two revisions of a section: fields, and the body by paragraph."""

    old_revision_id: str
    new_revision_id: str
    fields: tuple[FieldChange, ...]
    chunks: tuple[DiffChunk, ...]
    text: str
    old_body: str = ""
    new_body: str = ""

    @property
    def body_changed(self) -> bool:
        return any(chunk.kind != "equal" for chunk in self.chunks)


@dataclass(frozen=True)
class HeadVersion:
    """One of the competing versions of a section in conflict."""

    revision_id: str
    author: str
    device_id: str
    time: datetime
    payload: dict[str, Any]

    @property
    def body(self) -> str:
        return str(self.payload.get("body", ""))


@dataclass(frozen=True)
class MergeProposal:
    """The proposed resolution of a section in conflict.

    ``payload`` merges the fields changed on one side only and the body by
    paragraph; ``conflicts`` counts the marked regions left in the body and
    ``field_conflicts`` the other fields both sides changed, as
    ``(base, winner's, other's)`` (the proposal keeps the winner's value).
    """

    section_id: str
    base_revision_id: str | None
    base_body: str
    heads: tuple[HeadVersion, ...]
    payload: dict[str, Any]
    conflicts: int
    field_conflicts: dict[str, tuple[Any, Any, Any]] = field(default_factory=dict)

    @property
    def body(self) -> str:
        return str(self.payload.get("body", ""))

    @property
    def clean(self) -> bool:
        return self.conflicts == 0 and not self.field_conflicts
