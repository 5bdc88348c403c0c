"""Tables of the replica room (SQLAlchemy Core, on the shared ``store.metadata``).

Core tables, not ORM classes: the log is written in bulk (executemany) and
read column by column, so there is nothing to gain from identity-mapped objects.

- ``replica_revision``: every applied revision (append-only; ``seq`` is the
  local arrival order, which is always parents-before-children). The parents
  are a JSON list column rather than an edge table: nothing queries children,
  DAG walks load one entity's revisions by ``entity_id``, and an edge table
  would add two indexed rows per revision to the import path.
- ``replica_pending`` / ``replica_pending_parent``: revisions that arrived
  before their parents; they wait here and are applied when the parents come.
- ``replica_head``: the heads (revisions without children) of every entity
  that has more than one, i.e. of the entities in conflict. An entity with a
  single head has it in ``replica_current`` only (``heads = 1``), so the usual
  edit rewrites one row instead of deleting and inserting a head row as well.
  Read an entity's heads with ``replica.heads`` / ``replica.entity_heads``.
- ``replica_current``: per entity, the displayed revision (the single head,
  or the winner among several) and the number of heads (more than one = a
  conflict); kept in step incrementally. The payload is read through
  ``revision_id`` (a unique-index lookup), so an update rewrites one small row
  and never copies the payload.
- ``replica_clock``: the last hybrid-logical-clock value per device, plus the
  shared floor raised by clocks observed in received revisions.
- ``replica_restored``: local bookkeeping of withdrawals (``replica.withdrawal``) that
  brought a conflict back: each restoring revision and the head it restores, so the
  conflict is compared against the versions' own common ancestor (``ancestry.stand_ins``).

Tables with small rows and a text key are ``WITHOUT ROWID`` on SQLite (one
B-tree instead of a table plus its primary-key index: fewer pages written per
import).

``replica_head.revision_id`` and ``replica_current.revision_id`` always name a
stored revision, but they are not declared as foreign keys: with SQLite's
``foreign_keys`` on, every head and current-state write would look the
revision up in the id index once more (about a sixth of the import time),
and both tables are only ever written by ``replica.log`` right after the
revisions they name (the property tests check heads and digests).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from neascn_desktop.store.metadata import metadata

ID = String(64)
NAME = String(100)
CLOCK = String(20)

revision_table = Table(
    "replica_revision",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", ID, nullable=False, unique=True),
    Column("entity_type", NAME, nullable=False),
    Column("entity_id", NAME, nullable=False),
    Column("device_id", NAME, nullable=False),
    Column("clock", CLOCK, nullable=False),
    # Canonical JSON list of the sorted parent ids (every parent is a stored revision).
    Column("parents", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("provenance", String(200), nullable=True),
)
Index("ix_replica_revision_entity_id", revision_table.c.entity_id)
# Who made an entity's roots (``parents == "[]"``), read from the index alone: the authority
# checks ask it for every record a package touches (issue 19).
Index("ix_replica_revision_roots", revision_table.c.entity_id, revision_table.c.parents, revision_table.c.device_id)

pending_table = Table(
    "replica_pending",
    metadata,
    Column("id", ID, primary_key=True),
    Column("entity_type", NAME, nullable=False),
    Column("entity_id", NAME, nullable=False),
    Column("device_id", NAME, nullable=False),
    Column("clock", CLOCK, nullable=False),
    Column("parents", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("provenance", String(200), nullable=True),
    # a rowid table: its rows carry payloads, too big for a WITHOUT ROWID B-tree
)

pending_parent_table = Table(
    "replica_pending_parent",
    metadata,
    Column("child", ID, ForeignKey("replica_pending.id", ondelete="CASCADE"), nullable=False),
    Column("parent", ID, nullable=False),
    PrimaryKeyConstraint("child", "parent"),
    sqlite_with_rowid=False,
)
Index("ix_replica_pending_parent_parent", pending_parent_table.c.parent)

head_table = Table(
    "replica_head",
    metadata,
    Column("entity_id", NAME, nullable=False),
    Column("revision_id", ID, nullable=False),
    Column("entity_type", NAME, nullable=False),
    Column("clock", CLOCK, nullable=False),
    Column("device_id", NAME, nullable=False),
    PrimaryKeyConstraint("entity_id", "revision_id"),
    sqlite_with_rowid=False,
)

current_table = Table(
    "replica_current",
    metadata,
    Column("entity_id", NAME, primary_key=True),
    Column("entity_type", NAME, nullable=False),
    # the displayed revision: the single head, or the winner among several
    Column("revision_id", ID, nullable=False),
    Column("clock", CLOCK, nullable=False),
    Column("device_id", NAME, nullable=False),
    Column("heads", Integer, nullable=False),
    sqlite_with_rowid=False,
)
Index("ix_replica_current_entity_type", current_table.c.entity_type)
# Only entities in conflict are indexed: the conflicts view stays one small index scan.
# (The migration also gives PostgreSQL the partial index; naming ``postgresql_where``
# here would load SQLAlchemy's PostgreSQL dialect in every process.)
Index(
    "ix_replica_current_conflict",
    current_table.c.entity_type,
    sqlite_where=current_table.c.heads > 1,
)

clock_table = Table(
    "replica_clock",
    metadata,
    Column("device_id", NAME, primary_key=True),
    Column("last", CLOCK, nullable=False),
)

restored_table = Table(
    "replica_restored",
    metadata,
    Column("revision_id", ID, primary_key=True),
    Column("original_id", ID, nullable=False),
    sqlite_with_rowid=False,
)
