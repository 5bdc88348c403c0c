"""What is particular to a section in conflict: its merge proposal, and when it may be settled.

Settling itself is one use case for every kind of record
(``sync.conflicts.resolve_with`` / ``resolve_keep``: a merge revision with all
heads as parents, and an audit row); the Framework workspace, the Inbox and the
CLI all call it, and it asks this module for the section's rules.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from neascn_desktop import replica
from neascn_desktop.framework.history import author_of, clock_time, device_names
from neascn_desktop.framework.model import STATUSES, FrameworkError, HeadVersion, MergeProposal
from neascn_desktop.framework.records import META_FIELDS, distinct_payloads
from neascn_desktop.framework.tables import section_working_copy_table as working_copies
from neascn_desktop.framework.textmerge import merge_text
from neascn_desktop.i18n import _
from neascn_desktop.replica.ancestry import stand_ins
from neascn_desktop.replica.log import common_ancestor, entity_graph
from neascn_desktop.store.database import Database


def _head_label(head: HeadVersion) -> str:
    return _("{author}, {time}").format(
        author=head.author, time=head.time.astimezone().strftime("%Y-%m-%d %H:%M")
    )


def merge_proposal(db: Database, section_id: str) -> MergeProposal:
    """How the versions of a section in conflict would merge against their common ancestor.

    Every head with its own content is folded in, winner first; the body merges
    by paragraph, the other fields field by field, and marked regions name the
    versions by author and time.
    """
    names = device_names(db)
    with db.session() as session:
        heads = distinct_payloads(replica.heads(session, section_id))
        if not heads:
            raise FrameworkError(
                _("There is no section {ref} in the framework.").format(ref=section_id)
            )
        graph = entity_graph(session, section_id) if len(heads) > 1 else {}
    versions = tuple(
        HeadVersion(h.id, author_of(h.device_id, names), h.device_id, clock_time(h.clock), dict(h.payload))
        for h in heads
    )
    if len(heads) == 1:
        return MergeProposal(section_id, heads[0].id, versions[0].body, versions, dict(heads[0].payload), 0)
    base_rev = common_ancestor(graph, stand_ins(db, [h.id for h in heads]))
    base = dict(base_rev.payload) if base_rev is not None else {}
    base_body = str(base.get("body", ""))
    merged = dict(versions[0].payload)
    conflicts = 0
    field_conflicts: dict[str, tuple[Any, Any, Any]] = {}
    merged_label = _head_label(versions[0])
    for other in versions[1:]:
        meta = replica.three_way_merge(
            {k: base.get(k) for k in META_FIELDS if k in base},
            {k: merged.get(k) for k in META_FIELDS if k in merged},
            {k: other.payload.get(k) for k in META_FIELDS if k in other.payload},
        )
        for name, values in meta.conflicting_fields.items():
            field_conflicts.setdefault(name, values)
        text = merge_text(base_body, str(merged.get("body", "")), other.body, merged_label, _head_label(other))
        conflicts += text.conflicts
        # Keep the bodies' own convention for the final newline (the editor's form ends with one).
        body = text.text if str(merged.get("body", "")).endswith("\n") else text.text.rstrip("\n")
        merged = {**merged, **meta.merged, "body": body}
    return MergeProposal(
        section_id=section_id,
        base_revision_id=base_rev.id if base_rev is not None else None,
        base_body=base_body,
        heads=versions,
        payload=merged,
        conflicts=conflicts,
        field_conflicts=field_conflicts,
    )


def check_settleable(session: Session, section_id: str, payload: dict[str, Any] | None = None) -> None:
    """Refuse to settle a section while its drafter has unsaved text, or with an unknown status.

    The working copy records the version the drafter started from; settled
    beside it, the drafter's next save would become a sibling of the merge and
    re-open the conflict. The Framework workspace saves before it opens the
    resolution; the Inbox and the CLI get this sentence.
    """
    unsaved = select(working_copies.c.section_id).where(working_copies.c.section_id == section_id)
    if session.execute(unsaved).first() is not None:
        raise FrameworkError(_("Save the section before settling its conflict."))
    status = payload.get("status") if payload is not None else None
    if status is not None and status not in STATUSES:
        # The value may come from a package: shown escaped and short, never as it is.
        raise FrameworkError(_("Unknown status {status}; choose one of: {choices}.").format(
            status=ascii(status)[:40], choices=", ".join(STATUSES)))
