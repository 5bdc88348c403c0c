"""Tables of the sync room (SQLAlchemy Core, on the shared ``store.metadata``).

- ``sync_package``: every package applied here, keyed by its id and its signer's
  key fingerprint (that pair makes re-imports no-ops, while another device reusing
  the id is another package; its sender tells the exporter what that device already has).
- ``sync_inbox``: packages that wait for a decision (untrusted or revoked
  sender), keyed like ``sync_package``; the file itself is copied to
  ``<data dir>/inbox/``, named by its SHA-256.
- ``sync_audit``: what happened, when, with which package (append-only).
- ``sync_encryption_key``: this profile's X25519 keys, the current one and
  the retired ones kept to open older packages (the private keys are files in
  ``<data dir>/keys/``, like the device keys).
- ``sync_export`` / ``sync_exported_revision``: which revisions were sent to
  which recipient, so the next export sends only what it may lack.
- ``sync_acknowledged_revision``: this device's own revisions that a trusted
  secretariat acknowledged holding (``sync.receipts``): sent is not received,
  and an own revision is sent again until it is acknowledged.
- ``sync_undo``: every undo (of an import, a conflict resolution, or another undo): which
  revisions it withdrew and which it created to restore the records (``sync.undo``).

Per-revision provenance (the package a revision arrived in) is stored by the
replica room in ``replica_revision.provenance``.

The import path (``sync.importer``, ``verify``, ``audit``, ``keystore``) works
on these tables through Core, so that ``neascn package import`` never loads
the ORM; ``sync.models`` maps ORM classes onto them for the other use cases.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text

from neascn_desktop.store.database import actor_of
from neascn_desktop.store.metadata import metadata
from neascn_desktop.store.types import UtcDateTime


def _actor(attribute: str) -> Callable[[Any], str | None]:
    """A column default: this attribute of the member writing through the insert's engine."""

    def value(context: Any) -> str | None:
        actor = actor_of(context.connection.engine)
        return None if actor is None else str(getattr(actor, attribute))

    return value


package_table = Table(
    "sync_package", metadata,
    Column("package_id", String(36), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("sender_device_id", String(100), nullable=False, index=True),
    Column("sender_name", String(200), nullable=False),
    Column("sender_fingerprint", String(64), primary_key=True),  # a package is its id *and* its signer
    Column("created_at", String(40), nullable=False),
    Column("manifest_sha256", String(64), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("imported_at", UtcDateTime(), nullable=False),
    Column("counts", Text, nullable=False, default="{}"),  # JSON
)

inbox_table = Table(
    "sync_inbox", metadata,
    Column("package_id", String(36), primary_key=True),
    Column("stored_file", String(200), nullable=False),  # relative to the data dir
    Column("original_name", String(400), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("sender_device_id", String(100), nullable=False, index=True),
    Column("sender_name", String(200), nullable=False),
    Column("sender_organisation", String(200), nullable=False),
    Column("sender_role", String(20), nullable=False),
    Column("sender_fingerprint", String(64), primary_key=True),  # one entry per id and signer
    Column("created_at", String(40), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("reason", String(20), nullable=False),  # untrusted | revoked | key_changed
    Column("status", String(20), nullable=False, index=True),  # waiting | applied | rejected
    Column("decided_at", UtcDateTime(), nullable=True),
)

audit_table = Table(
    "sync_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime(), nullable=False, index=True),
    Column("action", String(20), nullable=False),  # import | export | inbox | trust | reject | resolve | key
    Column("verdict", String(20), nullable=False),  # applied | already_imported | waiting | refused | ...
    Column("package_id", String(36), nullable=True, index=True),
    Column("kind", String(20), nullable=True),
    Column("file_name", String(400), nullable=True),
    Column("sender_device_id", String(100), nullable=True),
    Column("sender_name", String(200), nullable=True),
    Column("sender_fingerprint", String(64), nullable=True),
    Column("counts", Text, nullable=False, default="{}"),  # JSON
    Column("message", Text, nullable=False, default=""),
    # Who did it, on a database a team shares: filled in for every insert from the member
    # writing through the connection's engine (``store.database.set_actor``), so no writer of
    # the log can forget it; as they were then (the row outlives a removal).
    Column("member_id", String(36), nullable=True, default=_actor("member_id")),
    Column("member_name", String(200), nullable=True, default=_actor("name")),
    Column("member_fingerprint", String(64), nullable=True, default=_actor("fingerprint")),
)

encryption_key_table = Table(
    "sync_encryption_key", metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("public_key", String(64), nullable=False),
    Column("file_name", String(200), nullable=False),  # in <data dir>/keys/
    Column("created_at", UtcDateTime(), nullable=False),
    Column("retired_at", UtcDateTime(), nullable=True),
    Column("current", Boolean, nullable=False, default=False),
)

export_table = Table(
    "sync_export", metadata,
    Column("package_id", String(36), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("recipient_device_id", String(100), nullable=True),
    Column("file_name", String(400), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revisions", Integer, nullable=False),
    Column("full", Boolean, nullable=False, default=False),
)

exported_revision_table = Table(
    "sync_exported_revision", metadata,
    Column("recipient_device_id", String(100), primary_key=True),
    Column("revision_id", String(64), primary_key=True),
    Column("package_id", String(36), nullable=False),
)

Index("ix_sync_exported_revision_revision_id", exported_revision_table.c.revision_id)

acknowledged_revision_table = Table(
    "sync_acknowledged_revision", metadata,
    Column("revision_id", String(64), primary_key=True),
    Column("acknowledged_by", String(100), nullable=False),  # the secretariat's device id
    Column("package_id", String(36), nullable=False),  # the deployment that carried it
    Column("acknowledged_at", UtcDateTime(), nullable=False),
)

undo_table = Table(
    "sync_undo", metadata,
    Column("id", String(36), primary_key=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("action", String(20), nullable=False),  # package | resolution | undo (what was undone)
    Column("subject", String(100), nullable=False, index=True),  # package id, revision id, undo id
    Column("subject_signer", String(64), nullable=True),  # a package's signer (see sync_package)
    Column("device_id", String(100), nullable=False),
    Column("withdrawn", Text, nullable=False),  # JSON list of the revision ids withdrawn
    Column("created", Text, nullable=False),  # JSON list of the revision ids that restore
    Column("undone_by", String(36), nullable=True),  # the undo that reversed this one
)
