"""Tables of the framework room: the autosaved working copy of section bodies.

Revision ID: 0005_framework
Revises: 0004_sync
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_framework"
down_revision = "0004_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "framework_working_copy",
        sa.Column("section_id", sa.String(100), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("base_revision_id", sa.String(64), nullable=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("section_id", name="pk_framework_working_copy"),
    )


def downgrade() -> None:
    op.drop_table("framework_working_copy")
