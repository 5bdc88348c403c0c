"""Verdicts on package files without importing them: is it intact, who sent it, may it be applied?

``verify_package`` never writes anything and never raises for a bad package:
it returns a ``PackageVerdict`` that says what is wrong in one sentence.  A
``Verifier`` checks many files: what it needs of the database (the trust book,
the private keys, which packages were applied or wait in the inbox) is read
once, not once per file; each file is then read by ``open_package``, the
importer's reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from neascn_desktop.i18n import N_, _
from neascn_desktop.i18n.safe_text import NAME_LIMIT, safe_text
from neascn_desktop.identity.checks import identity_problem
from neascn_desktop.identity.profile import Profile, load_profile
from neascn_desktop.identity.tables import trusted_device_table
from neascn_desktop.store.database import Database
from neascn_desktop.sync import keystore
from neascn_desktop.sync.container import (
    DEFAULT_LIMITS,
    Limits,
    Manifest,
    PackageReader,
    open_package,
)
from neascn_desktop.sync.errors import (
    PackageEncryptionError,
    PackageError,
    PackageSignatureError,
    PackageTooLargeError,
    PackageUnsafeError,
    PackageVersionError,
)
from neascn_desktop.sync.tables import inbox_table, package_table

# How the sender of a package stands with this profile.
OWN = "own"
TRUSTED = "trusted"
FIRST_USE = "first_use"  # a first deployment from a secretariat: trusted on first use
UNTRUSTED = "untrusted"
REVOKED = "revoked"
KEY_CHANGED = "key_changed"

TRUST_LABELS: dict[str, str] = {
    OWN: N_("this device"),
    TRUSTED: N_("trusted"),
    FIRST_USE: N_("trusted on first use"),
    UNTRUSTED: N_("not trusted"),
    REVOKED: N_("revoked"),
    KEY_CHANGED: N_("key differs from the trusted one"),
}

APPLICABLE = frozenset({OWN, TRUSTED, FIRST_USE})


def trust_label(trust: str | None) -> str:
    return _(TRUST_LABELS[trust]) if trust in TRUST_LABELS else ""


@dataclass(frozen=True)
class TrustedKey:
    device_id: str
    role: str
    signing_public_key: str
    encryption_public_key: str
    revoked: bool
    trusted_at: datetime


class TrustBook:
    """The trusted devices and this profile, read once per batch of packages."""

    def __init__(self, db: Database, profile: Profile | None = None) -> None:
        self.profile = profile or load_profile(db)
        with db.connect() as conn:
            self.devices = {
                r.device_id: TrustedKey(r.device_id, r.role, r.signing_public_key,
                                        r.encryption_public_key, r.revoked_at is not None, r.trusted_at)
                for r in conn.execute(select(trusted_device_table))
            }

    def has_secretariat(self) -> bool:
        return any(d.role == "secretariat" and not d.revoked for d in self.devices.values())

    def judge(self, manifest: Manifest) -> str:
        sender = manifest.sender
        if self.profile is not None and sender.device_id == self.profile.device_id:
            return OWN if sender.signing_public_key == self.profile.signing_public_key else KEY_CHANGED
        known = self.devices.get(sender.device_id)
        if known is not None:
            if known.revoked:
                return REVOKED
            if known.signing_public_key != sender.signing_public_key:
                return KEY_CHANGED
            return TRUSTED
        if (
            manifest.kind == "deployment"
            and sender.role == "secretariat"
            and self.profile is not None
            and self.profile.role != "secretariat"
            and not self.has_secretariat()
            and identity_problem(sender, "") is None  # a malformed identity waits to be refused
        ):
            return FIRST_USE
        return UNTRUSTED


_ERROR_TYPES: tuple[tuple[type[PackageError], str], ...] = (
    (PackageTooLargeError, "too_large"),
    (PackageUnsafeError, "unsafe"),
    (PackageVersionError, "version"),
    (PackageSignatureError, "signature"),
    (PackageEncryptionError, "encryption"),
)


def error_type(exc: PackageError) -> str:
    for cls, name in _ERROR_TYPES:
        if isinstance(exc, cls):
            return name
    return "damaged"


_SHOWN_FIELDS = ("error", "kind", "created_at", "sender_device_id", "sender_name", "sender_organisation",
                 "sender_role", "fingerprint")


@dataclass(frozen=True)
class PackageVerdict:
    """What is known about one package file before importing it."""

    path: Path
    error: str | None = None
    error_type: str | None = None
    package_id: str | None = None
    kind: str | None = None
    created_at: str | None = None
    sender_device_id: str | None = None
    sender_name: str | None = None
    sender_organisation: str | None = None
    sender_role: str | None = None
    fingerprint: str | None = None
    encrypted: bool = False
    recipient_key_fingerprint: str | None = None
    decryptable: bool | None = None
    trust: str | None = None
    already_imported: bool = False
    waiting_in_inbox: bool = False
    revisions: int | None = None
    attachments: int | None = None

    def __post_init__(self) -> None:
        # Whatever built the verdict, what it says about a package is safe to show (the
        # manifest's names are sanitised already; an error may quote a local file name).
        for name in _SHOWN_FIELDS:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, safe_text(value, None if name == "error" else NAME_LIMIT))

    @property
    def signature_valid(self) -> bool:
        return self.error is None or self.error_type == "encryption"

    @property
    def status(self) -> str:
        """One word: damaged | already_imported | undecryptable | waiting | <trust>."""
        if self.error is not None:
            return "undecryptable" if self.error_type == "encryption" else "damaged"
        if self.already_imported:
            return "already_imported"
        if self.trust not in APPLICABLE:
            return "waiting"
        return "ready"

    @property
    def summary(self) -> str:
        """One translated sentence for people."""
        if self.error is not None:
            return self.error
        name = self.sender_name or "?"
        if self.already_imported:
            return _("Already imported (from {name}).").format(name=name)
        if self.trust == REVOKED:
            return _("Signed by {name}, whose key was revoked; it would wait in the inbox.").format(name=name)
        if self.trust == KEY_CHANGED:
            return _("Signed by a key that differs from the trusted key of {name}; it would wait in the inbox.").format(
                name=name)
        if self.trust == UNTRUSTED:
            return _("Signed by {name}, who is not trusted yet (fingerprint {fingerprint}); it would wait in the inbox.").format(
                name=name, fingerprint=self.fingerprint)
        if self.trust == FIRST_USE:
            return _("Deployment from {name} (fingerprint {fingerprint}); importing it trusts this secretariat.").format(
                name=name, fingerprint=self.fingerprint)
        return _("Valid signature from {name}; ready to import.").format(name=name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "status": self.status,
            "valid": self.error is None,
            "signature_valid": self.signature_valid,
            "error": self.error,
            "error_type": self.error_type,
            "package_id": self.package_id,
            "kind": self.kind,
            "created_at": self.created_at,
            "sender": None if self.sender_device_id is None else {
                "device_id": self.sender_device_id, "name": self.sender_name,
                "organisation": self.sender_organisation, "role": self.sender_role,
                "fingerprint": self.fingerprint},
            "encrypted": self.encrypted,
            "recipient_key_fingerprint": self.recipient_key_fingerprint,
            "decryptable": self.decryptable,
            "trust": self.trust,
            "already_imported": self.already_imported,
            "waiting_in_inbox": self.waiting_in_inbox,
            "revisions": self.revisions,
            "attachments": self.attachments,
            "summary": self.summary,
        }


def verdict_from_manifest(path: Path, manifest: Manifest, **extra: Any) -> PackageVerdict:
    return PackageVerdict(
        path=path,
        package_id=manifest.package_id,
        kind=manifest.kind,
        created_at=manifest.created_at,
        sender_device_id=manifest.sender.device_id,
        sender_name=manifest.sender.display_name,
        sender_organisation=manifest.sender.organisation,
        sender_role=manifest.sender.role,
        fingerprint=manifest.sender.fingerprint,
        encrypted=manifest.encrypted,
        recipient_key_fingerprint=manifest.recipient_key_fingerprint,
        revisions=manifest.counts.get("revisions"),
        attachments=len(manifest.attachment_members),
        **extra,
    )


def package_state(db: Database, package_id: str, signer: str) -> tuple[bool, bool]:
    """(already imported, waiting in the inbox) for the package ``package_id`` signed by the key
    with the fingerprint ``signer`` (another signer's package with that id is another package)."""
    p, box = package_table, inbox_table
    with db.connect() as conn:
        imported = conn.execute(select(p.c.package_id).where(
            p.c.package_id == package_id, p.c.sender_fingerprint == signer)).first() is not None
        inbox = conn.execute(select(box.c.status).where(
            box.c.package_id == package_id, box.c.sender_fingerprint == signer)).first()
        return imported, inbox is not None and inbox.status == "waiting"


class Verifier:
    """Verdicts on many files, with what they need of the database read once (``verify``)."""

    def __init__(self, db: Database, *, limits: Limits = DEFAULT_LIMITS, book: TrustBook | None = None) -> None:
        self.limits = limits
        self.book = book or TrustBook(db)
        self.keys = keystore.private_key_lookup(db)
        p, box = package_table, inbox_table
        with db.connect() as conn:
            # (package id, signer's fingerprint): see ``package_state``.
            self.imported = {(row.package_id, row.sender_fingerprint)
                             for row in conn.execute(select(p.c.package_id, p.c.sender_fingerprint))}
            self.waiting = {(row.package_id, row.sender_fingerprint) for row in conn.execute(
                select(box.c.package_id, box.c.sender_fingerprint).where(box.c.status == "waiting"))}

    def verify(self, path: Path) -> PackageVerdict:
        """Check one file completely (structure, signature, hashes, decryptability) without importing."""
        path = Path(path)
        try:
            reader: PackageReader = open_package(path, self.limits)
        except PackageError as exc:
            return PackageVerdict(path=path, error=str(exc), error_type=error_type(exc))
        with reader:
            manifest = reader.manifest
            key = (manifest.package_id, manifest.sender.fingerprint)
            decryptable: bool | None = None
            error: PackageError | None = None
            if manifest.encrypted:
                try:
                    reader.decryption_key(self.keys)
                    decryptable = True
                except PackageEncryptionError as exc:
                    decryptable = False
                    error = exc
            return verdict_from_manifest(
                path, manifest,
                error=str(error) if error else None,
                error_type=error_type(error) if error else None,
                decryptable=decryptable,
                trust=self.book.judge(manifest),
                already_imported=key in self.imported,
                waiting_in_inbox=key in self.waiting,
            )


def verify_package(
    db: Database,
    path: Path,
    *,
    limits: Limits = DEFAULT_LIMITS,
    book: TrustBook | None = None,
) -> PackageVerdict:
    """Check one file completely (structure, signature, hashes, decryptability) without importing."""
    return Verifier(db, limits=limits, book=book).verify(path)
