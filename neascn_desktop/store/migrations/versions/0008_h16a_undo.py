"""Undo: what each undo withdrew and created, so it can be shown, and undone in its turn.

An undo (of an import, of a conflict resolution, or of another undo) adds revisions that
restore the records (``replica.withdrawal``); this table remembers which, per undo.

Revision ID: 0008_h16a_undo
Revises: 0007_package_identity
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_h16a_undo"
down_revision = "0007_package_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_undo",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("subject_signer", sa.String(64), nullable=True),
        sa.Column("device_id", sa.String(100), nullable=False),
        sa.Column("withdrawn", sa.Text(), nullable=False),
        sa.Column("created", sa.Text(), nullable=False),
        sa.Column("undone_by", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sync_undo"),
    )
    op.create_index("ix_sync_undo_subject", "sync_undo", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_sync_undo_subject", table_name="sync_undo")
    op.drop_table("sync_undo")
