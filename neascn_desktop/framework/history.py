"""Who wrote which version of a section, and what changed between two versions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from neascn_desktop import replica
from neascn_desktop.framework.model import (
    FieldChange,
    FrameworkError,
    RevisionInfo,
    SectionDiff,
)
from neascn_desktop.framework.textmerge import diff_paragraphs, diff_text
from neascn_desktop.i18n import _
from neascn_desktop.identity.profile import load_profile
from neascn_desktop.identity.trust import list_trusted
from neascn_desktop.replica.clock import clock_time as replica_clock_time
from neascn_desktop.replica.revision import canonical_json
from neascn_desktop.store.database import Database

_DIFF_FIELDS = ("title", "status", "owner", "parent_id", "position", "language", "deleted")




def device_names(db: Database) -> dict[str, str]:
    """Display names of the devices this data directory knows (itself and trusted ones)."""
    names = {d.device_id: d.display_name for d in list_trusted(db)}
    profile = load_profile(db)
    if profile is not None:
        names[profile.device_id] = profile.display_name
    return names


def author_of(device_id: str, names: Mapping[str, str]) -> str:
    return names.get(device_id) or _("device {id}").format(id=device_id[:8])


def clock_time(clock: str) -> datetime:
    """The wall time of a hybrid-logical-clock value (for display; the epoch if malformed)."""
    try:
        return replica_clock_time(clock)
    except replica.ReplicaError:
        return datetime.fromtimestamp(0, UTC)


def _changed_fields(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> tuple[str, ...]:
    if old is None:
        return ()
    names = ("body", *_DIFF_FIELDS)
    return tuple(
        n for n in names if canonical_json(old.get(n)) != canonical_json(new.get(n))
    )


def history(db: Database, section_id: str) -> list[RevisionInfo]:
    """Every revision of a section, newest first, with author, device and time."""
    names = device_names(db)
    revisions = replica.history(db, section_id)
    if not revisions:
        raise FrameworkError(_("There is no section {ref} in the framework.").format(ref=section_id))
    by_id = {r.id: r for r in revisions}
    out = []
    for rev in revisions:
        first_parent = by_id.get(rev.parents[0]) if rev.parents else None
        if len(rev.parents) > 1:
            # A merge: report what differs from the version shown before it.
            first_parent = max(
                (by_id[p] for p in rev.parents if p in by_id), key=lambda r: r.sort_key, default=None
            )
        out.append(
            RevisionInfo(
                revision_id=rev.id,
                parents=rev.parents,
                author=author_of(rev.device_id, names),
                device_id=rev.device_id,
                time=clock_time(rev.clock),
                title=str(rev.payload.get("title", "")),
                status=str(rev.payload.get("status", "")),
                changed=_changed_fields(first_parent.payload if first_parent else None, rev.payload),
            )
        )
    out.sort(key=lambda info: (by_id[info.revision_id].sort_key), reverse=True)
    return out


def diff_payloads(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[tuple[FieldChange, ...], str, str]:
    fields = tuple(
        FieldChange(name, old.get(name), new.get(name))
        for name in _DIFF_FIELDS
        if canonical_json(old.get(name)) != canonical_json(new.get(name))
    )
    return fields, str(old.get("body", "")), str(new.get("body", ""))


def diff_revisions(db: Database, old_revision_id: str, new_revision_id: str) -> SectionDiff:
    """The readable difference between two revisions of one section."""
    old = replica.get_revision(db, old_revision_id)
    new = replica.get_revision(db, new_revision_id)
    if old is None or new is None:
        raise FrameworkError(_("Unknown revision."))
    if old.entity_id != new.entity_id:
        raise FrameworkError(_("The two revisions belong to different sections."))
    fields, old_body, new_body = diff_payloads(old.payload, new.payload)
    return SectionDiff(
        old_revision_id=old.id,
        new_revision_id=new.id,
        fields=fields,
        chunks=tuple(diff_paragraphs(old_body, new_body)),
        text=diff_text(old_body, new_body),
        old_body=old_body,
        new_body=new_body,
    )


