"""The ``.neascn`` format in values: member names, kinds, roles, the ZIP flags refused, the limits
a reader holds a package to, and the manifest (``Manifest``, ``Sender``, ``Member``).  See
``docs/package-format.md``."""


from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field

from neascn_desktop.i18n import N_, _
from neascn_desktop.identity.keys import fingerprint

FORMAT_NAME = "neascn-package"
FORMAT_VERSION = 1
SUFFIX = ".neascn"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PAYLOAD = "payload/revisions.jsonl"
ATTACHMENT_PREFIX = "attachments/"
KINDS = ("deployment", "responses", "framework", "all")
#: The kinds as people read them (inside sentences too: never the raw word).
KIND_LABELS = {"deployment": N_("deployment"), "responses": N_("responses"),
               "framework": N_("framework"), "all": N_("everything")}


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind
#: The roles a manifest's sender may claim (``identity.profile.ROLES``, which needs the database).
SENDER_ROLES = ("taskforce", "field", "secretariat")


@dataclass(frozen=True)
class Limits:
    """What a reader accepts; generous for real use, small in tests."""

    max_file_bytes: int = 4 * 1024**3
    max_members: int = 20_000
    max_member_bytes: int = 512 * 1024**2
    max_total_bytes: int = 4 * 1024**3
    max_manifest_bytes: int = 8 * 1024**2
    max_payload_bytes: int = 512 * 1024**2
    max_ratio: int = 100
    #: members smaller than this are never refused for their ratio (JSON compresses well)
    ratio_floor_bytes: int = 1024**2
    #: files up to this size are read into memory in one go (larger ones from the disk,
    #: through the same ``zipfile`` code); tests set 0 to cover the on-disk path
    in_memory_bytes: int = 64 * 1024**2


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Member:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Sender:
    device_id: str
    display_name: str
    organisation: str
    role: str
    signing_public_key: str
    encryption_public_key: str

    @functools.cached_property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_public_key)

    def to_dict(self) -> dict[str, str]:
        return {
            "device_id": self.device_id,
            "display_name": self.display_name,
            "organisation": self.organisation,
            "role": self.role,
            "signing_public_key": self.signing_public_key,
            "encryption_public_key": self.encryption_public_key,
            "fingerprint": self.fingerprint,
        }


@dataclass(frozen=True)
class Manifest:
    """A parsed manifest; ``raw`` are the exact signed bytes."""

    package_id: str
    kind: str
    created_at: str
    app_version: str
    sender: Sender
    members: tuple[Member, ...]
    encryption: dict[str, str] | None = None
    recipient: dict[str, str] | None = None
    counts: dict[str, int] = field(default_factory=dict)
    raw: bytes = b""

    @property
    def encrypted(self) -> bool:
        return self.encryption is not None

    @property
    def recipient_key_fingerprint(self) -> str | None:
        return self.encryption["recipient_key_fingerprint"] if self.encryption else None

    def member(self, name: str) -> Member | None:
        for member in self.members:
            if member.name == name:
                return member
        return None

    @property
    def attachment_members(self) -> list[Member]:
        return [m for m in self.members if m.name.startswith(ATTACHMENT_PREFIX)]

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()
