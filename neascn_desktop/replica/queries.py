"""Reading the revision log: current states, heads, history, conflicts, revisions to send."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from neascn_desktop.replica.access import (
    _REVISION_COLUMNS,
    _chunks,
    _entity_heads_raw,
    _reading,
    _row_to_revision,
)
from neascn_desktop.replica.revision import Revision
from neascn_desktop.replica.tables import (
    current_table,
    head_table,
    pending_table,
    revision_table,
)
from neascn_desktop.replica.values import Conflict, CurrentState, is_withdrawn

if TYPE_CHECKING:
    from neascn_desktop.replica.access import Executor, Target


# --------------------------------------------------------------------------- reading


_CURRENT_COLUMNS = (
    current_table.c.entity_id,
    current_table.c.entity_type,
    current_table.c.revision_id,
    revision_table.c.payload,
    current_table.c.clock,
    current_table.c.device_id,
    current_table.c.heads,
)


def _current_query() -> Any:
    return select(*_CURRENT_COLUMNS).join(
        revision_table, revision_table.c.id == current_table.c.revision_id
    )


def _current_from_row(row: Any) -> CurrentState:
    return CurrentState(
        entity_id=row.entity_id,
        entity_type=row.entity_type,
        revision_id=row.revision_id,
        payload=json.loads(row.payload),
        clock=row.clock,
        device_id=row.device_id,
        heads=row.heads,
    )


def current(target: Target, entity_type: str, entity_id: str) -> CurrentState | None:
    """The displayed state of one entity (``None`` if unknown, of another type or withdrawn:
    see ``replica.withdrawal``)."""
    with _reading(target) as session:
        row = session.execute(
            _current_query().where(
                current_table.c.entity_id == entity_id, current_table.c.entity_type == entity_type
            )
        ).first()
        if row is None:
            return None
        state = _current_from_row(row)
        return None if is_withdrawn(state.payload) else state


def list_current(target: Target, entity_type: str) -> list[CurrentState]:
    """The displayed state of every entity of a type, ordered by entity id (withdrawn ones
    left out)."""
    with _reading(target) as session:
        rows = session.execute(
            _current_query()
            .where(current_table.c.entity_type == entity_type)
            .order_by(current_table.c.entity_id)
        )
        states = (_current_from_row(row) for row in rows)
        return [state for state in states if not is_withdrawn(state.payload)]


def get_revision(target: Target, revision_id: str) -> Revision | None:
    """A stored (applied) revision by id, with its provenance; ``None`` if not stored."""
    with _reading(target) as session:
        row = session.execute(
            select(*_REVISION_COLUMNS).where(revision_table.c.id == revision_id)
        ).first()
        return _row_to_revision(row) if row is not None else None


def _revisions_by_ids(session: Executor, ids: Sequence[str]) -> list[Revision]:
    out: list[Revision] = []
    for chunk in _chunks(ids):
        out.extend(
            _row_to_revision(row)
            for row in session.execute(
                select(*_REVISION_COLUMNS).where(revision_table.c.id.in_(chunk))
            )
        )
    return out


def heads(target: Target, entity_id: str) -> list[Revision]:
    """The heads of an entity, the displayed winner first (highest clock, then device id)."""
    with _reading(target) as session:
        ids = [rev_id for rev_id, _t in _entity_heads_raw(session, entity_id)]
        revs = _revisions_by_ids(session, ids)
        return sorted(revs, key=lambda r: r.sort_key, reverse=True)


def history(target: Target, entity_id: str) -> list[Revision]:
    """Every stored revision of an entity, in local arrival order (parents before children)."""
    with _reading(target) as session:
        rows = session.execute(
            select(*_REVISION_COLUMNS)
            .where(revision_table.c.entity_id == entity_id)
            .order_by(revision_table.c.seq)
        )
        return [_row_to_revision(row) for row in rows]


def conflicts(target: Target, entity_type: str | None = None) -> list[Conflict]:
    """Entities with more than one head, ordered by entity type and id (one query)."""
    with _reading(target) as session:
        query = (
            select(current_table.c.revision_id.label("winner_id"), *_REVISION_COLUMNS)
            .select_from(current_table)
            .join(head_table, head_table.c.entity_id == current_table.c.entity_id)
            .join(revision_table, revision_table.c.id == head_table.c.revision_id)
            .where(current_table.c.heads > 1)
        )
        if entity_type is not None:
            query = query.where(current_table.c.entity_type == entity_type)
        grouped: dict[tuple[str, str], tuple[str, list[Revision]]] = {}
        for row in session.execute(query):
            revision = _row_to_revision(row)
            key = (revision.entity_type, revision.entity_id)
            grouped.setdefault(key, (row.winner_id, []))[1].append(revision)
        return [
            Conflict(
                entity_id=entity_id,
                entity_type=etype,
                winner_id=winner_id,
                heads=tuple(sorted(revs, key=lambda r: r.sort_key, reverse=True)),
            )
            for (etype, entity_id), (winner_id, revs) in sorted(grouped.items())
        ]


def pending_revisions(target: Target) -> list[Revision]:
    """Revisions that arrived before their parents and are waiting for them."""
    with _reading(target) as session:
        cols = [pending_table.c[c.name] for c in _REVISION_COLUMNS]
        rows = session.execute(select(*cols).order_by(pending_table.c.id))
        return [_row_to_revision(row) for row in rows]


def iter_revisions(
    target: Target,
    entity_types: Iterable[str] | None = None,
    *,
    after_seq: int = 0,
    include_pending: bool = False,
    chunk_size: int = 1000,
) -> Iterator[Revision]:
    """Stored revisions in local arrival order (parents before children), lazily.

    ``entity_types`` limits the types; ``after_seq`` skips what an earlier
    export already covered (see ``last_seq``). ``include_pending`` appends the
    revisions still waiting for parents (a receiver may hold those parents).
    """
    types = list(entity_types) if entity_types is not None else None
    with _reading(target) as session:
        last = after_seq
        while True:
            query = (
                select(revision_table.c.seq, *_REVISION_COLUMNS)
                .where(revision_table.c.seq > last)
                .order_by(revision_table.c.seq)
                .limit(chunk_size)
            )
            if types is not None:
                query = query.where(revision_table.c.entity_type.in_(types))
            rows = list(session.execute(query))
            if not rows:
                break
            for row in rows:
                yield _row_to_revision(row)
            last = rows[-1].seq
        if include_pending:
            for rev in pending_revisions(session):
                if types is None or rev.entity_type in types:
                    yield rev


def revisions_since(
    target: Target, known_ids: Iterable[str], entity_types: Iterable[str] | None = None
) -> Iterator[Revision]:
    """The stored revisions (parents first) whose ids are not in ``known_ids``:
    what a receiver that holds ``known_ids`` may lack."""
    known = set(known_ids)
    for rev in iter_revisions(target, entity_types, include_pending=True):
        if rev.id not in known:
            yield rev


def revision_ids(target: Target) -> set[str]:
    """The ids of every stored revision (applied or waiting)."""
    with _reading(target) as session:
        ids = set(session.execute(select(revision_table.c.id)).scalars())
        ids.update(session.execute(select(pending_table.c.id)).scalars())
        return ids


def last_seq(target: Target) -> int:
    """The local sequence number of the newest stored revision (0 when empty)."""
    with _reading(target) as session:
        return int(session.execute(select(func.max(revision_table.c.seq))).scalar() or 0)
