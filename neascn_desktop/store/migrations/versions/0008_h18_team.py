"""A secretariat team on one shared database: its members and the team keys wrapped for each.

Revision ID: 0008_h18_team
Revises: 0008_h16a_undo
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from neascn_desktop.store.types import UtcDateTime

revision = "0008_h18_team"
down_revision = "0008_h16a_undo"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_member",
        sa.Column("member_id", sa.String(36), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("signing_public_key", sa.String(64), nullable=False),
        sa.Column("encryption_public_key", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("member_id", name="pk_team_member"),
        sa.UniqueConstraint("encryption_public_key", name="uq_team_member_encryption_public_key"),
    )
    op.create_table(
        "team_key",
        sa.Column("member_id", sa.String(36), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("wrapped", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["team_member.member_id"], ondelete="CASCADE",
                                name="fk_team_key_member_id_team_member"),
        sa.PrimaryKeyConstraint("member_id", "key", name="pk_team_key"),
    )


def downgrade() -> None:
    op.drop_table("team_key")
    op.drop_table("team_member")
