"""Tables of the replica room.

Revision ID: 0002_replica
Revises: 0001_foundation
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_replica"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

ID = sa.String(64)
NAME = sa.String(100)
CLOCK = sa.String(20)


def upgrade() -> None:
    op.create_table(
        "replica_revision",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", ID, nullable=False),
        sa.Column("entity_type", NAME, nullable=False),
        sa.Column("entity_id", NAME, nullable=False),
        sa.Column("device_id", NAME, nullable=False),
        sa.Column("clock", CLOCK, nullable=False),
        sa.Column("parents", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("provenance", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_replica_revision"),
        sa.UniqueConstraint("id", name="uq_replica_revision_id"),
    )
    op.create_index("ix_replica_revision_entity_id", "replica_revision", ["entity_id"])
    op.create_table(
        "replica_pending",
        sa.Column("id", ID, nullable=False),
        sa.Column("entity_type", NAME, nullable=False),
        sa.Column("entity_id", NAME, nullable=False),
        sa.Column("device_id", NAME, nullable=False),
        sa.Column("clock", CLOCK, nullable=False),
        sa.Column("parents", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("provenance", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_replica_pending"),
    )
    op.create_table(
        "replica_pending_parent",
        sa.Column("child", ID, nullable=False),
        sa.Column("parent", ID, nullable=False),
        sa.PrimaryKeyConstraint("child", "parent", name="pk_replica_pending_parent"),
        sa.ForeignKeyConstraint(
            ["child"], ["replica_pending.id"], ondelete="CASCADE",
            name="fk_replica_pending_parent_child_replica_pending",
        ),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_replica_pending_parent_parent", "replica_pending_parent", ["parent"])
    op.create_table(
        "replica_head",
        sa.Column("entity_id", NAME, nullable=False),
        sa.Column("revision_id", ID, nullable=False),
        sa.Column("entity_type", NAME, nullable=False),
        sa.Column("clock", CLOCK, nullable=False),
        sa.Column("device_id", NAME, nullable=False),
        sa.PrimaryKeyConstraint("entity_id", "revision_id", name="pk_replica_head"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "replica_current",
        sa.Column("entity_id", NAME, nullable=False),
        sa.Column("entity_type", NAME, nullable=False),
        sa.Column("revision_id", ID, nullable=False),
        sa.Column("clock", CLOCK, nullable=False),
        sa.Column("device_id", NAME, nullable=False),
        sa.Column("heads", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("entity_id", name="pk_replica_current"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_replica_current_entity_type", "replica_current", ["entity_type"])
    op.create_index(
        "ix_replica_current_conflict",
        "replica_current",
        ["entity_type"],
        sqlite_where=sa.text("heads > 1"),
        postgresql_where=sa.text("heads > 1"),
    )
    clock = op.create_table(
        "replica_clock",
        sa.Column("device_id", NAME, nullable=False),
        sa.Column("last", CLOCK, nullable=False),
        sa.PrimaryKeyConstraint("device_id", name="pk_replica_clock"),
    )
    # The floor raised by clocks observed in received revisions (see replica.clock).
    op.bulk_insert(clock, [{"device_id": "*observed*", "last": "0000000000000-000000"}])


def downgrade() -> None:
    op.drop_table("replica_clock")
    op.drop_index("ix_replica_current_conflict", table_name="replica_current")
    op.drop_index("ix_replica_current_entity_type", table_name="replica_current")
    op.drop_table("replica_current")
    op.drop_table("replica_head")
    op.drop_index("ix_replica_pending_parent_parent", table_name="replica_pending_parent")
    op.drop_table("replica_pending_parent")
    op.drop_table("replica_pending")
    op.drop_index("ix_replica_revision_entity_id", table_name="replica_revision")
    op.drop_table("replica_revision")
