"""What a package would change: its revisions classified against the database (new entities,
updates, conflicts, revisions waiting for their parents, attachments)."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from neascn_desktop.i18n.safe_text import safe_text
from neascn_desktop.replica import Revision, entity_heads
from neascn_desktop.replica.tables import current_table, pending_table, revision_table
from neascn_desktop.sync.authority import builtin_entity_ids
from neascn_desktop.sync.import_results import (
    RECORDS_SHOWN,
    PackagePreview,
    RecordSummary,
    TypeCounts,
)
from neascn_desktop.sync.reading import payload_refs

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

def _chunks(items: Sequence[str], size: int = 900) -> Iterable[Sequence[str]]:
    # 900: under the 999 bound parameters older SQLite builds allow in one statement
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass
class _PreviewState:
    """What previews know of the database; updated as packages of one batch are classified,
    so each package is previewed against the state its predecessors leave behind."""

    known: set[str]
    heads: dict[str, set[str]]
    present: set[str]
    attachments_dir: Path
    arrived: set[str] = field(default_factory=set)  # attachments of earlier packages of the batch
    _files: set[str] | None = None

    def has_file(self, sha: str) -> bool:
        if self._files is None:  # one listing instead of a stat per reference
            try:
                self._files = set(os.listdir(self.attachments_dir))
            except OSError:
                self._files = set()
        return sha in self._files


def _load_state(session: Session | Connection, batches: Sequence[Sequence[Revision]],
                attachments_dir: Path) -> _PreviewState:
    ids = [r.id for revisions in batches for r in revisions]
    known: set[str] = set()
    for chunk in _chunks(ids):
        known.update(session.execute(select(revision_table.c.id).where(revision_table.c.id.in_(chunk))).scalars())
        known.update(session.execute(select(pending_table.c.id).where(pending_table.c.id.in_(chunk))).scalars())
    entity_ids = sorted({r.entity_id for revisions in batches for r in revisions})
    heads: dict[str, set[str]] = defaultdict(set, entity_heads(session, entity_ids))
    wanted = sorted({ref for revisions in batches for r in revisions if (ref := payload_refs(r)[1])})
    present: set[str] = set()
    for chunk in _chunks(wanted):
        present.update(session.execute(
            select(current_table.c.entity_id).where(current_table.c.entity_id.in_(chunk))).scalars())
    return _PreviewState(known, heads, present, attachments_dir)


def _classify(state: _PreviewState, revisions: list[Revision],
              attachment_hashes: set[str]) -> tuple[PackagePreview, list[Revision]]:
    new = [r for r in revisions if r.id not in state.known]
    by_entity: dict[str, list[Revision]] = defaultdict(list)
    for rev in new:
        by_entity[rev.entity_id].append(rev)
    entity_type = {r.entity_id: r.entity_type for r in revisions}
    counts: dict[str, dict[str, int]] = defaultdict(
        lambda: {"new": 0, "updated": 0, "conflicting": 0, "unchanged": 0})
    for entity_id, revs in by_entity.items():
        kind = counts[entity_type[entity_id]]
        before = state.heads.get(entity_id)
        after = ((before or set()) | {r.id for r in revs}) - {p for r in revs for p in r.parents}
        if not before:
            kind["conflicting" if len(after) > 1 else "new"] += 1
        else:
            kind["conflicting" if len(after) > 1 else "updated"] += 1
        state.heads[entity_id] = after
    for entity_id in set(entity_type) - set(by_entity):
        counts[entity_type[entity_id]]["unchanged"] += 1
    referenced: set[str] = set()
    definitions: set[str] = set()
    for rev in new:
        attachment_refs, ref = payload_refs(rev)
        referenced |= attachment_refs
        if ref:
            definitions.add(ref)
    missing_attachments = sorted(
        sha for sha in referenced - attachment_hashes - state.arrived if not state.has_file(sha)
    )
    state.arrived |= attachment_hashes
    carried = {r.entity_id for r in revisions if r.entity_type == "survey_definition"}
    # The built-in surveys are every machine's own (installed on first use): never "missing".
    missing_definitions = sorted(definitions - carried - state.present - builtin_entity_ids())
    state.known.update(r.id for r in new)
    state.present.update(r.entity_id for r in new)
    preview = PackagePreview(
        records=_records(by_entity),
        by_type={t: TypeCounts(**c) for t, c in counts.items()},
        revisions=len(revisions),
        new_revisions=len(new),
        attachments=len(attachment_hashes),
        missing_attachments=tuple(missing_attachments),
        missing_definitions=tuple(missing_definitions),
    )
    return preview, new


def _text(value: object, limit: int = 80) -> str:
    return safe_text(value, limit) if isinstance(value, str) else ""


def _records(by_entity: dict[str, list[Revision]]) -> tuple[RecordSummary, ...]:
    """What the new revisions are about, for people: a response's city, status, answers and author,
    a section's title.  Payloads come from the package: every field is checked and sanitised."""
    records: list[RecordSummary] = []
    for entity_id, revs in sorted(by_entity.items()):
        latest = max(revs, key=lambda r: r.clock)
        payload = latest.payload if isinstance(latest.payload, dict) else {}
        if latest.entity_type == "submission":
            answers = payload.get("answers")
            records.append(RecordSummary(
                "submission", entity_id, city_id=_text(payload.get("city_id"), 100),
                status=_text(payload.get("status"), 20),
                answers=len(answers) if isinstance(answers, dict) else 0,
                by=_text(payload.get("enumerator"))))
        elif latest.entity_type == "framework_section":
            records.append(RecordSummary("framework_section", entity_id, title=_text(payload.get("title"))))
        if len(records) >= RECORDS_SHOWN:
            break
    return tuple(records)


def compute_preview(session: Session | Connection, revisions: list[Revision], attachment_hashes: set[str],
                    attachments_dir: Path) -> tuple[PackagePreview, list[Revision]]:
    """Classify the entities a package touches, against the current database state."""
    return _classify(_load_state(session, [revisions], attachments_dir), revisions, attachment_hashes)
