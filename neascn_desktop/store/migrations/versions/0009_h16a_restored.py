"""Restored heads: which head each revision restores where an undo brought a conflict back.

``replica.withdrawal`` records it so that the conflict is compared against the versions' own
common ancestor, not against the withdrawn merge (``replica.ancestry.stand_ins``).

Revision ID: 0009_h16a_restored
Revises: 0008_h18_team
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_h16a_restored"
down_revision = "0008_h18_team"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replica_restored",
        sa.Column("revision_id", sa.String(64), nullable=False),
        sa.Column("original_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("revision_id", name="pk_replica_restored"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("replica_restored")
