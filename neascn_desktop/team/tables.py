"""Tables of the team room (SQLAlchemy Core).

- ``team_member``: the people who share this database, each with the public halves of
  their own member keys (the private halves stay in their own data directory, ``keys/``).
  A member asks to join (``requested``), another member adds them (``active``), and may
  later remove them (``removed``; the row stays for the record).
- ``team_key``: the team's private keys (its signing key and every encryption key, current
  and retired) wrapped for each active member's own encryption key: sealed with X25519,
  HKDF-SHA256 and AES-256-GCM, so that only that member can open their copy.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, PrimaryKeyConstraint, String, Table, Text

from neascn_desktop.store.metadata import metadata
from neascn_desktop.store.types import UtcDateTime

team_member_table = Table(
    "team_member", metadata,
    Column("member_id", String(36), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("organisation", String(200), nullable=False, default=""),
    Column("role", String(20), nullable=False),  # admin | member
    Column("status", String(20), nullable=False),  # requested | active | removed
    Column("signing_public_key", String(64), nullable=False),
    Column("encryption_public_key", String(64), nullable=False, unique=True),
    Column("fingerprint", String(64), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("decided_at", UtcDateTime(), nullable=True),
    Column("decided_by", String(36), nullable=True),
)

team_key_table = Table(
    "team_key", metadata,
    Column("member_id", String(36), ForeignKey("team_member.member_id", ondelete="CASCADE"), nullable=False),
    # "signing", or the fingerprint of an encryption key (``sync_encryption_key``)
    Column("key", String(64), nullable=False),
    Column("wrapped", Text, nullable=False),  # JSON: ephemeral public key, nonce, ciphertext
    Column("created_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("member_id", "key"),
)
