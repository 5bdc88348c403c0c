"""Figures over the whole log: the digest two replicas compare, counts, and the repair tool."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select

from neascn_desktop.replica.access import (
    _REVISION_COLUMNS,
    _chunks,
    _reading,
    _row_to_revision,
    _writing,
)
from neascn_desktop.replica.materialise import materialise
from neascn_desktop.replica.tables import (
    current_table,
    head_table,
    pending_table,
    revision_table,
)
from neascn_desktop.store.database import connection_of

if TYPE_CHECKING:
    from neascn_desktop.replica.access import Target


# --------------------------------------------------------------------------- figures


def digest(target: Target) -> str:
    """SHA-256 over the sorted revision ids and every entity's sorted heads.

    Two databases holding the same revisions have the same digest, whatever
    order they arrived in. The empty database digests to ``sha256(b"")``.
    """
    with _reading(target) as session:
        hasher = hashlib.sha256()
        ids = sorted(session.execute(select(revision_table.c.id)).scalars())
        for rev_id in ids:
            hasher.update(b"r" + rev_id.encode("ascii") + b"\n")
        # every entity's heads: the single head in replica_current, or the rows of replica_head
        head_rows = sorted(
            [
                (entity_id, rev_id)
                for query in (
                    select(current_table.c.entity_id, current_table.c.revision_id).where(
                        current_table.c.heads == 1
                    ),
                    select(head_table.c.entity_id, head_table.c.revision_id),
                )
                for entity_id, rev_id in session.execute(query)
            ]
        )
        for entity_id, rev_id in head_rows:
            hasher.update(b"h" + entity_id.encode("utf-8") + b":" + rev_id.encode("ascii") + b"\n")
        for rev_id in sorted(session.execute(select(pending_table.c.id)).scalars()):
            hasher.update(b"p" + rev_id.encode("ascii") + b"\n")
        return hasher.hexdigest()


def counts(target: Target) -> dict[str, Any]:
    """``revisions``, ``pending``, ``entities`` (by type) and ``conflicts``."""
    with _reading(target) as session:
        revisions = session.execute(select(func.count()).select_from(revision_table)).scalar()
        pending = session.execute(select(func.count()).select_from(pending_table)).scalar()
        by_type = {
            entity_type: int(n)
            for entity_type, n in session.execute(
                select(current_table.c.entity_type, func.count())
                .group_by(current_table.c.entity_type)
                .order_by(current_table.c.entity_type)
            )
        }
        in_conflict = session.execute(
            select(func.count()).select_from(current_table).where(current_table.c.heads > 1)
        ).scalar()
        return {
            "revisions": int(revisions or 0),
            "pending": int(pending or 0),
            "entities": by_type,
            "conflicts": int(in_conflict or 0),
        }


def rebuild_materialised(target: Target) -> None:
    """Recompute every head and current state from the revisions (a repair tool; slow)."""
    with _writing(target) as session:
        session.execute(delete(current_table))
        session.execute(delete(head_table))
        rows = list(session.execute(select(*_REVISION_COLUMNS).order_by(revision_table.c.seq)))
        applied = [_row_to_revision(row) for row in rows]
        for chunk in _chunks(applied, 5000):
            materialise(connection_of(session), list(chunk))
