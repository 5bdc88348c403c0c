"""A package's identity includes its signer: applied packages and inbox entries are keyed by
package id *and* the signing key's fingerprint.

Package ids are written in every manifest and chosen by the sender; keyed by the id alone,
a device that reused another's id could make the genuine package count as "already
imported" or mark its inbox entry applied.  Existing rows are kept (each has one signer).

Revision ID: 0007_package_identity
Revises: 0006_acknowledgements
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0007_package_identity"
down_revision = "0006_acknowledgements"
branch_labels = None
depends_on = None

_TABLES = ("sync_package", "sync_inbox")


def upgrade() -> None:
    for table in _TABLES:
        # SQLite cannot change a primary key in place: the batch copies the table.
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.drop_constraint(f"pk_{table}", type_="primary")
            batch.create_primary_key(f"pk_{table}", ["package_id", "sender_fingerprint"])


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.drop_constraint(f"pk_{table}", type_="primary")
            batch.create_primary_key(f"pk_{table}", ["package_id"])
