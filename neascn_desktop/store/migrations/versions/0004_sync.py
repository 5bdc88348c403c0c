"""Tables of the sync room: applied packages, the inbox, the audit log, encryption keys, exports.

Revision ID: 0004_sync
Revises: 0003_surveys
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_sync"
down_revision = "0003_surveys"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sync_package",
        sa.Column("package_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("sender_device_id", sa.String(100), nullable=False),
        sa.Column("sender_name", sa.String(200), nullable=False),
        sa.Column("sender_fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("imported_at", TS, nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("package_id", name="pk_sync_package"),
    )
    op.create_index("ix_sync_package_sender_device_id", "sync_package", ["sender_device_id"])
    op.create_table(
        "sync_inbox",
        sa.Column("package_id", sa.String(36), nullable=False),
        sa.Column("stored_file", sa.String(200), nullable=False),
        sa.Column("original_name", sa.String(400), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("sender_device_id", sa.String(100), nullable=False),
        sa.Column("sender_name", sa.String(200), nullable=False),
        sa.Column("sender_organisation", sa.String(200), nullable=False),
        sa.Column("sender_role", sa.String(20), nullable=False),
        sa.Column("sender_fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("package_id", name="pk_sync_inbox"),
    )
    op.create_index("ix_sync_inbox_sender_device_id", "sync_inbox", ["sender_device_id"])
    op.create_index("ix_sync_inbox_status", "sync_inbox", ["status"])
    op.create_table(
        "sync_audit",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("package_id", sa.String(36), nullable=True),
        sa.Column("kind", sa.String(20), nullable=True),
        sa.Column("file_name", sa.String(400), nullable=True),
        sa.Column("sender_device_id", sa.String(100), nullable=True),
        sa.Column("sender_name", sa.String(200), nullable=True),
        sa.Column("sender_fingerprint", sa.String(64), nullable=True),
        sa.Column("counts", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_audit"),
    )
    op.create_index("ix_sync_audit_at", "sync_audit", ["at"])
    op.create_index("ix_sync_audit_package_id", "sync_audit", ["package_id"])
    op.create_table(
        "sync_encryption_key",
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("retired_at", TS, nullable=True),
        sa.Column("current", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name="pk_sync_encryption_key"),
    )
    op.create_table(
        "sync_export",
        sa.Column("package_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("recipient_device_id", sa.String(100), nullable=True),
        sa.Column("file_name", sa.String(400), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revisions", sa.Integer, nullable=False),
        sa.Column("full", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("package_id", name="pk_sync_export"),
    )
    op.create_table(
        "sync_exported_revision",
        sa.Column("recipient_device_id", sa.String(100), nullable=False),
        sa.Column("revision_id", sa.String(64), nullable=False),
        sa.Column("package_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("recipient_device_id", "revision_id", name="pk_sync_exported_revision"),
    )
    op.create_index(
        "ix_sync_exported_revision_revision_id", "sync_exported_revision", ["revision_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_sync_exported_revision_revision_id", table_name="sync_exported_revision")
    op.drop_table("sync_exported_revision")
    op.drop_table("sync_export")
    op.drop_table("sync_encryption_key")
    op.drop_index("ix_sync_audit_package_id", table_name="sync_audit")
    op.drop_index("ix_sync_audit_at", table_name="sync_audit")
    op.drop_table("sync_audit")
    op.drop_index("ix_sync_inbox_status", table_name="sync_inbox")
    op.drop_index("ix_sync_inbox_sender_device_id", table_name="sync_inbox")
    op.drop_table("sync_inbox")
    op.drop_index("ix_sync_package_sender_device_id", table_name="sync_package")
    op.drop_table("sync_package")
