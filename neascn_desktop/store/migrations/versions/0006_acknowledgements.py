"""Acknowledgements: which of this device's revisions the secretariat confirmed it holds.

Revision ID: 0006_acknowledgements
Revises: 0005_framework
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_acknowledgements"
down_revision = "0005_framework"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_acknowledged_revision",
        sa.Column("revision_id", sa.String(64), nullable=False),
        sa.Column("acknowledged_by", sa.String(100), nullable=False),
        sa.Column("package_id", sa.String(36), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("revision_id", name="pk_sync_acknowledged_revision"),
    )
    with op.batch_alter_table("survey_submission_sent") as batch:
        batch.add_column(sa.Column("received_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("survey_submission_sent") as batch:
        batch.drop_column("received_at")
    op.drop_table("sync_acknowledged_revision")
