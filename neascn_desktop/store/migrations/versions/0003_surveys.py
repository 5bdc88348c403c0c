"""Tables of the surveys room.

Revision ID: 0003_surveys
Revises: 0002_replica
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0003_surveys"
down_revision = "0002_replica"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
