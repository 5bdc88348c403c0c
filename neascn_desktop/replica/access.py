"""Shared by the revision log's modules: what a use case works on, rows as revisions, heads.

Every use case of the log takes either a ``Database`` (it opens its own
connection, or its own write transaction) or the caller's ORM ``Session`` or
Core ``Connection`` (it works inside the caller's transaction).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import BindParameter, Connection, bindparam, select

from neascn_desktop.replica.bulk import SelectIn
from neascn_desktop.replica.revision import Revision
from neascn_desktop.replica.tables import (
    current_table,
    head_table,
    revision_table,
)
from neascn_desktop.store.database import Database

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    #: What the use cases work on (see the module's docstring).
    Target = Database | Session | Connection
    #: What runs statements: an ORM session or a Core connection.
    Executor = Session | Connection

# Stay well below every engine's limit on bound parameters per statement.
_IN_CHUNK = 500


# --------------------------------------------------------------------------- sessions


@contextmanager
def _writing(target: Target) -> Iterator[Executor]:
    if isinstance(target, Database):
        with target.writing() as conn:
            yield conn
    else:
        yield target


@contextmanager
def _reading(target: Target) -> Iterator[Executor]:
    if isinstance(target, Database):
        with target.connect() as conn:
            yield conn
    else:
        yield target


def _chunks(items: Sequence[Any], size: int = _IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_REVISION_COLUMNS = (
    revision_table.c.id,
    revision_table.c.entity_type,
    revision_table.c.entity_id,
    revision_table.c.parents,
    revision_table.c.device_id,
    revision_table.c.clock,
    revision_table.c.payload,
    revision_table.c.provenance,
)


def _row_to_revision(row: Any) -> Revision:
    revision = Revision(
        id=row.id,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        parents=tuple(json.loads(row.parents)),
        device_id=row.device_id,
        clock=row.clock,
        payload=json.loads(row.payload),
        provenance=row.provenance,
    )
    object.__setattr__(revision, "_payload_json", row.payload)
    return revision


_VALUES: BindParameter[str] = bindparam("values", expanding=True)
_SELECT_STORED = SelectIn(
    select(revision_table.c.id, revision_table.c.entity_id, revision_table.c.entity_type).where(
        revision_table.c.id.in_(_VALUES)
    )
)
_SELECT_CURRENT_HEADS = SelectIn(
    select(
        current_table.c.entity_id,
        current_table.c.revision_id,
        current_table.c.entity_type,
        current_table.c.clock,
        current_table.c.device_id,
        current_table.c.heads,
    ).where(current_table.c.entity_id.in_(_VALUES))
)
_SELECT_HEADS = SelectIn(
    select(
        head_table.c.entity_id,
        head_table.c.revision_id,
        head_table.c.entity_type,
        head_table.c.clock,
        head_table.c.device_id,
    ).where(head_table.c.entity_id.in_(_VALUES))
)


def _fetch_stored(conn: Connection, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """id -> (entity_id, entity_type) of the given ids that are stored (applied)."""
    found: dict[str, tuple[str, str]] = {}
    id_list = list(ids)
    for chunk in _chunks(id_list):
        for rev_id, entity_id, entity_type in _SELECT_STORED.run(conn, chunk):
            found[rev_id] = (entity_id, entity_type)
    return found


def _fetch_heads(
    conn: Connection,
    entity_ids: Iterable[str],
    heads_of: dict[str, dict[str, tuple[str, str, str]]],
    type_of: dict[str, str],
) -> None:
    """Add the stored heads of the given entities to ``heads_of`` (entity -> {revision id:
    (clock, device id, revision id)}) and their types to ``type_of``.

    An entity with one head has it in ``replica_current`` only; ``replica_head``
    holds the heads of entities in conflict.
    """
    in_conflict: list[str] = []
    for chunk in _chunks(list(entity_ids)):
        for entity_id, rev_id, entity_type, clock, device_id, count in _SELECT_CURRENT_HEADS.run(
            conn, chunk
        ):
            type_of[entity_id] = entity_type
            if count == 1:
                heads_of[entity_id] = {rev_id: (clock, device_id, rev_id)}
            else:
                in_conflict.append(entity_id)
    for chunk in _chunks(in_conflict):
        for entity_id, rev_id, _type, clock, device_id in _SELECT_HEADS.run(conn, chunk):
            heads_of.setdefault(entity_id, {})[rev_id] = (clock, device_id, rev_id)



def _entity_heads_raw(session: Executor, entity_id: str) -> list[tuple[str, str]]:
    """``(head revision id, entity type)`` of an entity's heads."""
    row = session.execute(
        select(current_table.c.revision_id, current_table.c.entity_type, current_table.c.heads)
        .where(current_table.c.entity_id == entity_id)
    ).first()
    if row is None:
        return []
    if row.heads == 1:
        return [(row.revision_id, row.entity_type)]
    return [
        (rev_id, entity_type)
        for rev_id, entity_type in session.execute(
            select(head_table.c.revision_id, head_table.c.entity_type).where(
                head_table.c.entity_id == entity_id
            )
        )
    ]
