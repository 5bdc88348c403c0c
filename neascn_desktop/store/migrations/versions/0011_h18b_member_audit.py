"""Who did it (issue 18): on a database a team shares, each audit row names the member whose
application wrote it (their member id, and their name and fingerprint as they were then, so the
row stays readable after the member is removed).  Empty on a one-person database.

Revision ID: 0011_h18b_member_audit
Revises: 0010_h19_roots
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_h18b_member_audit"
down_revision = "0010_h19_roots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_audit") as batch:
        batch.add_column(sa.Column("member_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("member_name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("member_fingerprint", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_audit") as batch:
        batch.drop_column("member_fingerprint")
        batch.drop_column("member_name")
        batch.drop_column("member_id")
