"""The roots of an entity found by an index (issue 19): the authority checks look up who made
each touched record's first revision; without this index SQLite read every revision of the
record (an import slowed down as records gathered revisions).

Revision ID: 0010_h19_roots
Revises: 0009_h16a_restored
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0010_h19_roots"
down_revision = "0009_h16a_restored"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_replica_revision_roots", "replica_revision", ["entity_id", "parents", "device_id"])


def downgrade() -> None:
    op.drop_index("ix_replica_revision_roots", table_name="replica_revision")
