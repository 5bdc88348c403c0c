"""Conflicts after imports: list them, compare the heads, propose a merge, resolve.

A submission is compared field by field where each answer is a field
(``answers.<question>``, ``attachments.<question>``) beside the top-level
fields, against the heads' common ancestor (``replica.propose_merge``; a repeat is one row,
conflicting when any of its instances does); a framework
section takes the framework room's proposal (a paragraph merge of the body).

Resolving is one use case for every kind of record, called by the Inbox, the
CLI and the Framework workspace alike: it asks the record's room whether it
may be settled now, creates a merge revision whose parents are all heads
(``replica.resolve``), so nothing is lost and every device converges once it
has the merge, and writes the audit row in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from neascn_desktop.changes import Changes
from neascn_desktop.framework import conflicts as framework_conflicts
from neascn_desktop.i18n import N_, _
from neascn_desktop.replica import ReplicaError, Revision, canonical_json, propose_merge
from neascn_desktop.replica import conflicts as replica_conflicts
from neascn_desktop.replica import heads as replica_heads
from neascn_desktop.replica import resolve as replica_resolve
from neascn_desktop.replica import resolve_keep as replica_resolve_keep
from neascn_desktop.replica.ancestry import stand_ins
from neascn_desktop.replica.log import common_ancestor, entity_graph
from neascn_desktop.replica.revision import WITHDRAWN_KEY, is_withdrawn
from neascn_desktop.store.database import Database, connection_of
from neascn_desktop.surveys.definition import SUBMISSION_NESTED_FIELDS
from neascn_desktop.sync import audit, authority, keystore
from neascn_desktop.sync.errors import PackageStateError

_NESTED = SUBMISSION_NESTED_FIELDS
_ABSENT = object()


def flatten(entity_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A submission's answers become fields of their own; other payloads stay as they are."""
    if entity_type != "submission":
        return dict(payload)
    flat: dict[str, Any] = {}
    for key, value in payload.items():
        if key in _NESTED and isinstance(value, dict):
            for name, inner in value.items():
                flat[f"{key}.{name}"] = inner
        else:
            flat[key] = value
    return flat


def unflatten(entity_type: str, flat: dict[str, Any]) -> dict[str, Any]:
    if entity_type != "submission":
        return dict(flat)
    result: dict[str, Any] = {key: {} for key in _NESTED}
    for key, value in flat.items():
        head, dot, rest = key.partition(".")
        if dot and head in _NESTED:
            result[head][rest] = value
        else:
            result[key] = value
    return result


@dataclass(frozen=True)
class FieldRow:
    """One row of the side-by-side comparison."""

    name: str
    ancestor: Any
    heads: tuple[Any, ...]
    proposal: Any
    conflicting: bool


@dataclass(frozen=True)
class Comparison:
    entity_id: str
    entity_type: str
    heads: tuple[Revision, ...]
    ancestor: Revision | None
    rows: tuple[FieldRow, ...]
    proposal: dict[str, Any] = field(default_factory=dict)
    #: What each head stands for: itself, or the version it restores (a conflict brought back
    #: by an undo): whose version it is and when it was made, for labels.
    origins: tuple[Revision, ...] = ()

    @property
    def clean(self) -> bool:
        return not any(r.conflicting for r in self.rows)


def _shown(value: Any) -> Any:
    return None if value is _ABSENT else value


def compare(db: Database, entity_id: str) -> Comparison:
    """Every field where a head differs from another or from the ancestor, with a proposal."""
    current = replica_heads(db, entity_id)
    if not current:
        raise PackageStateError(_("There is no record {id}.").format(id=entity_id))
    entity_type = current[0].entity_type
    graph = entity_graph(db, entity_id)
    standing = stand_ins(db, [h.id for h in current])
    base = common_ancestor(graph, standing) if len(current) > 1 else None
    base_flat = flatten(entity_type, base.payload) if base else {}
    head_flats = [flatten(entity_type, h.payload) for h in current]
    if entity_type == "framework_section":
        section = framework_conflicts.merge_proposal(db, entity_id)
        merged = dict(section.payload)
        conflicting = set(section.field_conflicts) | ({"body"} if section.conflicts else set())
    else:
        proposal = propose_merge(db, entity_id, nested=_NESTED if entity_type == "submission" else ())
        merged = flatten(entity_type, proposal.merged)
        conflicting = set(proposal.conflicting_fields)
    kept = [flat for flat, head in zip(head_flats, current, strict=True) if not is_withdrawn(head.payload)]
    if kept and len(kept) < len(head_flats):
        # An undo withdrew the record and someone edited it since: the proposal keeps the edit
        # (never a silent loss); "Keep this version" on the withdrawal withdraws it after all.
        merged = dict(kept[0])
        conflicting = {WITHDRAWN_KEY}
    # Timestamps of the edit itself are not a disagreement: keep the latest.
    for name in ("updated_at",):
        values = [h[name] for h in head_flats if isinstance(h.get(name), str)]
        if values:
            merged[name] = max(values)
            conflicting.discard(name)
    rows = []
    for name in sorted(set(base_flat).union(*head_flats)):
        per_head = tuple(h.get(name, _ABSENT) for h in head_flats)
        texts = {canonical_json(_shown(v)) for v in per_head} | (
            {canonical_json(_shown(base_flat.get(name, _ABSENT)))} if base else set())
        if len(texts) <= 1:
            continue
        rows.append(FieldRow(name, _shown(base_flat.get(name, _ABSENT)), tuple(_shown(v) for v in per_head),
                             merged.get(name), name in conflicting or any(
                                 c.startswith(f"{name}[") for c in conflicting)))
    return Comparison(entity_id, entity_type, tuple(current), base, tuple(rows),
                      unflatten(entity_type, merged), tuple(graph.get(i, h) for i, h in zip(standing, current,
                                                                                          strict=True)))


@dataclass(frozen=True)
class ConflictInfo:
    entity_id: str
    entity_type: str
    heads: tuple[Revision, ...]
    changed: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "entity_type": self.entity_type,
            "heads": [
                {"revision": h.id, "device_id": h.device_id, "clock": h.clock, "payload": h.payload,
                 "changed": changed}
                for h, changed in zip(self.heads, self.changed, strict=True)
            ],
        }


def list_conflicts(db: Database, entity_type: str | None = None) -> list[ConflictInfo]:
    """Entities with several heads; each head with the fields it changed since the common ancestor."""
    result = []
    for conflict in replica_conflicts(db, entity_type):
        graph = entity_graph(db, conflict.entity_id)
        base = common_ancestor(graph, stand_ins(db, [h.id for h in conflict.heads]))
        base_flat = flatten(conflict.entity_type, base.payload) if base else {}
        changed = []
        for head in conflict.heads:
            flat = flatten(conflict.entity_type, head.payload)
            changed.append({
                name: _shown(flat.get(name, _ABSENT))
                for name in sorted(set(flat) | set(base_flat))
                if canonical_json(_shown(flat.get(name, _ABSENT)))
                != canonical_json(_shown(base_flat.get(name, _ABSENT)))
            })
        result.append(ConflictInfo(conflict.entity_id, conflict.entity_type, conflict.heads, tuple(changed)))
    return result


def _changes(entity_type: str, entity_id: str) -> Changes:
    return Changes.of_entities([entity_type], [entity_id], "conflict", "revision")


def _check_conflict(session: Session, entity_id: str) -> list[Revision]:
    current = replica_heads(session, entity_id)
    if not current:
        raise PackageStateError(_("There is no record {id}.").format(id=entity_id))
    if len(current) < 2:
        raise PackageStateError(_("Record {id} is not in conflict.").format(id=entity_id))
    return current


def _settle(
    db: Database,
    entity_id: str,
    payload: dict[str, Any] | None,
    write: Callable[[Session, str], Revision],
    message: Callable[[list[Revision]], str],  # an ``audit.event``
) -> Revision:
    """The one way a conflict is settled: the room's rules, the merge revision, the audit row."""
    profile = keystore.own_profile_or_error(db)
    device_id = profile.device_id
    with db.transaction() as session:
        current = _check_conflict(session, entity_id)
        if current[0].entity_type == "framework_section":
            framework_conflicts.check_settleable(session, entity_id, payload)
        try:
            revision = write(session, device_id)
        except ReplicaError as exc:
            raise PackageStateError(str(exc)) from None
        # A resolution is a revision like any other: every receiver would judge it (and this
        # transaction is rolled back if this device may not make it, or the payload is malformed).
        authority.check_resolution(connection_of(session), profile.role, device_id, current, revision.payload)
        audit.record(session, action="resolve", verdict="resolved", package_id=None,
                     counts={"revision": revision.id, "entity_id": entity_id}, message=message(current))
    return revision


def resolve_keep(db: Database, entity_id: str, revision_id: str) -> Revision:
    """Resolve by keeping the content of one revision (usually one of the heads)."""
    return _settle(
        db, entity_id, None,
        lambda session, device_id: replica_resolve_keep(session, device_id, entity_id, revision_id),
        lambda current: audit.event(N_("Kept version {revision} of {record} ({count} versions were in conflict)."),
                                    revision=revision_id[:12], record=_record_title(db, current),
                                    count=len(current)))


def resolve_with(db: Database, entity_id: str, new_payload: dict[str, Any], how: str = "merge") -> Revision:
    """Resolve with a payload (the accepted merge proposal, or an edited one).

    An edited version passes the record's form rules first (``sync.proposals``: type,
    constraint, required, for every field that differs from the proposal); ``ProposalError``
    names each refused field, and nothing is written.
    """
    if how != "merge":
        _check_edited(db, entity_id, new_payload)
    return _settle(
        db, entity_id, new_payload,
        lambda session, device_id: replica_resolve(session, device_id, entity_id, new_payload),
        lambda current: audit.event(
            N_("Resolved the conflict in {record} ({count} versions) with the merge proposal.") if how == "merge"
            else N_("Resolved the conflict in {record} ({count} versions) with an edited version."),
            record=_record_title(db, current), count=len(current)))


def _record_title(db: Database, heads: list[Revision]) -> str:
    """A record as people know it, for the audit log (its name, never only its id)."""
    from neascn_desktop.sync import proposals

    return proposals.record_title(db, heads[0], others=heads)


def _check_edited(db: Database, entity_id: str, payload: dict[str, Any]) -> None:
    from neascn_desktop.sync import proposals

    comparison = compare(db, entity_id)
    head = proposals.reference_head(comparison.heads)
    fields = proposals.edited_fields(comparison.entity_type, comparison.proposal, payload)
    errors = proposals.check_payload(db, head, payload, fields)
    if errors:
        raise proposals.ProposalError(errors, proposals.field_labels(db, head, sorted(errors)))


def resolution_changes(revision: Revision) -> Changes:
    return _changes(revision.entity_type, revision.entity_id)
