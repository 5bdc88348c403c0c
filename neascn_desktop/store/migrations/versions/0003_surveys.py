"""Tables of the surveys room.

Revision ID: 0003_surveys
Revises: 0002_replica
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_surveys"
down_revision = "0002_replica"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_working_copy",
        sa.Column("submission_id", sa.String(100), primary_key=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("base_revision_id", sa.String(64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "survey_submission_sent",
        sa.Column("submission_id", sa.String(100), primary_key=True),
        sa.Column("revision_id", sa.String(64), primary_key=True),
        sa.Column("package_id", sa.String(100), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("survey_submission_sent")
    op.drop_table("survey_working_copy")
