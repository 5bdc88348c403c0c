"""The ``.neascn`` container: writing a signed ZIP and reading one defensively.

This module knows ZIP members, the manifest and its signature, member hashes
and the encryption envelope; it knows nothing about revisions or the
database.  ``open_package`` either returns a ``PackageReader`` whose every
member hash and whose signature have been checked, or raises a
``PackageError`` subclass with one sentence saying why.  Nothing is written
anywhere while reading.  See ``docs/package-format.md`` for the format.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import re
import stat
import struct
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from neascn_desktop.i18n import _
from neascn_desktop.i18n.safe_text import is_safe, safe_text
from neascn_desktop.identity.keys import fingerprint, unb64
from neascn_desktop.sync import crypto
from neascn_desktop.sync.errors import (
    PackageDamagedError,
    PackageEncryptionError,
    PackageSignatureError,
    PackageTooLargeError,
    PackageUnsafeError,
    PackageVersionError,
)

FORMAT_NAME = "neascn-package"
FORMAT_VERSION = 1
SUFFIX = ".neascn"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PAYLOAD = "payload/revisions.jsonl"
ATTACHMENT_PREFIX = "attachments/"
KINDS = ("deployment", "responses", "framework", "all")

_ATTACHMENT_RE = re.compile(r"attachments/[0-9a-f]{64}")
_HEX64_RE = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20
_VERIFIED_CACHE_BYTES = 32 * 1024 * 1024
_IN_MEMORY_BYTES = 64 * 1024 * 1024
# General-purpose flag bits of a ZIP member (APPNOTE 4.4.4).
_FLAG_ENCRYPTED = 0x1
_FLAG_PATCHED = 0x20
_FLAG_STRONG_ENCRYPTION = 0x40
_FLAG_UTF8_NAME = 0x800
#: A member's local header (APPNOTE 4.3.7), as ``zipfile`` reads it.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_ERRORS_OF_ZIPFILE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
    struct.error,
    KeyError,
    IndexError,
    OverflowError,
    UnicodeError,
)


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


# --- writing ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class AttachmentSource:
    """An attachment to put in a package: its content hash and where its bytes are."""

    sha256: str
    path: Path


def write_package(
    target: Path,
    *,
    package_id: str,
    kind: str,
    created_at: str,
    app_version: str,
    sender: Sender,
    signing_key: Ed25519PrivateKey,
    payload: bytes,
    attachments: Iterable[AttachmentSource] = (),
    envelope: crypto.Envelope | None = None,
    recipient: dict[str, str] | None = None,
    counts: dict[str, int] | None = None,
    optional_fields: dict[str, Any] | None = None,
) -> Manifest:
    """Write a complete package atomically (a temporary file renamed into place).

    ``optional_fields`` are further manifest fields of version 1 (§9 of the format), such as
    a deployment's ``acknowledgements``; they cannot replace the fields written here.
    """
    aad = crypto.member_aad(package_id)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".neascn-", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    members: list[Member] = []
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            stored = crypto.encrypt_member(envelope.key, aad, payload) if envelope else payload
            _write_member(zf, PAYLOAD, stored, compress=envelope is None)
            members.append(Member(PAYLOAD, len(stored), hashlib.sha256(stored).hexdigest()))
            seen: set[str] = set()
            for source in attachments:
                if source.sha256 in seen:
                    continue
                seen.add(source.sha256)
                data = source.path.read_bytes()
                if hashlib.sha256(data).hexdigest() != source.sha256:
                    raise PackageDamagedError(
                        _("The attachment {path} does not match its recorded hash.").format(path=source.path)
                    )
                # Attachments are named by the hash of their *stored* bytes so that an
                # encrypted package reveals nothing about its evidence files.
                stored = crypto.encrypt_member(envelope.key, aad, data) if envelope else data
                digest = hashlib.sha256(stored).hexdigest()
                name = ATTACHMENT_PREFIX + digest
                _write_member(zf, name, stored, compress=False)
                members.append(Member(name, len(stored), digest))
            document: dict[str, Any] = {
                "format": FORMAT_NAME,
                "format_version": FORMAT_VERSION,
                "package_id": package_id,
                "kind": kind,
                "created_at": created_at,
                "app_version": app_version,
                "sender": sender.to_dict(),
                "recipient": recipient,
                "encryption": envelope.manifest_entry() if envelope else None,
                "counts": dict(counts or {}),
                "members": [{"name": m.name, "size": m.size, "sha256": m.sha256} for m in members],
            }
            document = {**(optional_fields or {}), **document}
            raw = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8") + b"\n"
            _write_member(zf, MANIFEST, raw, compress=True)
            _write_member(zf, SIGNATURE, signing_key.sign(raw), compress=False)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Manifest(
        package_id=package_id,
        kind=kind,
        created_at=created_at,
        app_version=app_version,
        sender=sender,
        members=tuple(members),
        encryption=document["encryption"],
        recipient=recipient,
        counts=dict(counts or {}),
        raw=raw,
    )


def _write_member(zf: zipfile.ZipFile, name: str, data: bytes, *, compress: bool) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    zf.writestr(info, data)


# --- reading ---------------------------------------------------------------------------------

def _damaged(path: Path, reason: str) -> PackageDamagedError:
    return PackageDamagedError(_("{file} is damaged: {reason}").format(file=path.name, reason=reason))


def _unsafe(path: Path, reason: str) -> PackageUnsafeError:
    return PackageUnsafeError(_("{file} was refused as unsafe: {reason}").format(file=path.name, reason=reason))


def _too_large(path: Path, reason: str) -> PackageTooLargeError:
    return PackageTooLargeError(_("{file} was refused: {reason}").format(file=path.name, reason=reason))


#: Sender fields shown to people (sanitised when a manifest is parsed; see ``safe_text``).
_SHOWN_SENDER_FIELDS = frozenset({"display_name", "organisation", "role"})

_ALLOWED_NAMES = frozenset({MANIFEST, SIGNATURE, PAYLOAD})


def _check_name(path: Path, name: str) -> None:
    """Refuse any member name that could escape a folder or smuggle something in."""
    if name in _ALLOWED_NAMES or _ATTACHMENT_RE.fullmatch(name):
        return  # the only names a package may use; the checks below explain any other
    if "\x00" in name or "\\" in name:
        raise _unsafe(path, _("the member name {name!r} contains forbidden characters").format(name=name))
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise _unsafe(path, _("the member {name!r} has an absolute path").format(name=name))
    parts = name.split("/")
    if any(part in ("..", ".", "") for part in parts):
        raise _unsafe(path, _("the member {name!r} has a relative path that could escape").format(name=name))
    if name not in (MANIFEST, SIGNATURE, PAYLOAD) and not _ATTACHMENT_RE.fullmatch(name):
        raise _unsafe(path, _("it contains an unexpected member {name!r}").format(name=name))


def _check_infos(path: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> dict[str, zipfile.ZipInfo]:
    if len(infos) > limits.max_members:
        raise _too_large(path, _("it has {count} members, more than the limit of {limit}").format(
            count=len(infos), limit=limits.max_members))
    by_name: dict[str, zipfile.ZipInfo] = {}
    folded: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        _check_name(path, name)
        if name.casefold() in folded:
            raise _unsafe(path, _("the member {name!r} appears more than once").format(name=name))
        folded.add(name.casefold())
        mode = info.external_attr >> 16
        if info.is_dir() or stat.S_ISDIR(mode):
            raise _unsafe(path, _("it contains a folder entry {name!r}").format(name=name))
        # Many zip tools write permission bits without a file type; only a type other
        # than "regular file" (a link, a device, a fifo) is refused.
        if stat.S_IFMT(mode) not in (0, stat.S_IFREG):
            raise _unsafe(path, _("the member {name!r} is a link or special file").format(name=name))
        if info.flag_bits & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION):
            raise _unsafe(path, _("the member {name!r} uses ZIP encryption").format(name=name))
        if info.flag_bits & _FLAG_PATCHED:
            raise _damaged(path, _("the member {name!r} uses an unsupported compression").format(name=name))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _damaged(path, _("the member {name!r} uses an unsupported compression").format(name=name))
        if info.file_size > limits.max_member_bytes:
            raise _too_large(path, _("the member {name!r} is larger than {limit} bytes").format(
                name=name, limit=limits.max_member_bytes))
        if info.file_size > limits.ratio_floor_bytes and (
            info.file_size > limits.max_ratio * max(info.compress_size, 1)
        ):
            raise _too_large(path, _("the member {name!r} is compressed suspiciously well").format(name=name))
        total += info.file_size
        if total > limits.max_total_bytes:
            raise _too_large(path, _("its contents are larger than {limit} bytes").format(
                limit=limits.max_total_bytes))
        by_name[name] = info
    return by_name


def _canonical_uuid(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two readers must never see two different manifests in the same signed bytes.
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def parse_manifest(path: Path, raw: bytes) -> Manifest:
    """Check a manifest's shape; raises ``PackageVersionError`` for another format version."""
    try:
        document = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _damaged(path, _("its manifest is not valid JSON")) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise _damaged(path, _("it is not a NEASCN package"))
    version = document.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise PackageVersionError(
            _("{file} uses package format version {version}, but this app reads version {supported} only.").format(
                file=path.name, version=version, supported=FORMAT_VERSION)
        )
    bad = _damaged(path, _("its manifest is incomplete or malformed"))
    if not _canonical_uuid(document.get("package_id")):
        raise bad
    if document.get("kind") not in KINDS:
        raise _damaged(path, _("it has an unknown kind {kind!r}").format(kind=document.get("kind")))
    for key in ("created_at", "app_version"):
        if not isinstance(document.get(key), str) or len(document[key]) > 100:
            raise bad
    try:
        datetime.fromisoformat(document["created_at"])
    except ValueError:
        raise bad from None
    sender_doc = document.get("sender")
    sender_fields = ("device_id", "display_name", "organisation", "role", "signing_public_key",
                     "encryption_public_key")
    if not isinstance(sender_doc, dict) or any(
        not isinstance(sender_doc.get(n), str) or len(sender_doc[n]) > 400 for n in sender_fields
    ):
        raise bad
    if not is_safe(sender_doc["device_id"]):
        raise bad  # an identifier: never shown altered, never stored with escapes
    # The names are for people: stripped of escapes and overrides here, once, so that no
    # verdict, message, inbox entry, audit row or trusted key card ever holds the raw text
    # (the signature covers the raw bytes, which ``raw`` keeps).
    sender = Sender(**{n: safe_text(sender_doc[n]) if n in _SHOWN_SENDER_FIELDS else sender_doc[n]
                       for n in sender_fields})
    try:
        if len(unb64(sender.signing_public_key)) != 32 or len(unb64(sender.encryption_public_key)) != 32:
            raise bad
    except ValueError:
        raise bad from None
    encryption = document.get("encryption")
    if encryption is not None:
        names = ("scheme", "recipient_key_fingerprint", "recipient_public_key", "ephemeral_public_key", "salt")
        if not isinstance(encryption, dict) or any(not isinstance(encryption.get(n), str) for n in names):
            raise bad
        if encryption["scheme"] != crypto.ENVELOPE_SCHEME:
            raise _damaged(path, _("it uses an unknown encryption scheme {scheme!r}").format(
                scheme=encryption["scheme"]))
        encryption = {n: encryption[n] for n in names}
    recipient = document.get("recipient")
    if recipient is not None and (
        not isinstance(recipient, dict) or any(not isinstance(v, str) for v in recipient.values())
    ):
        raise bad
    counts = document.get("counts", {})
    if not isinstance(counts, dict) or any(
        not isinstance(v, int) or isinstance(v, bool) for v in counts.values()
    ):
        raise bad
    members_doc = document.get("members")
    if not isinstance(members_doc, list):
        raise bad
    members: list[Member] = []
    seen: set[str] = set()
    for entry in members_doc:
        if not isinstance(entry, dict):
            raise bad
        name, size, digest = entry.get("name"), entry.get("size"), entry.get("sha256")
        if (
            not isinstance(name, str)
            or not isinstance(size, int)
            or isinstance(size, bool)
            or size < 0
            or not isinstance(digest, str)
            or not _HEX64_RE.fullmatch(digest)
        ):
            raise bad
        _check_name(path, name)
        if name in (MANIFEST, SIGNATURE) or name in seen:
            raise bad
        if name.startswith(ATTACHMENT_PREFIX) and name != ATTACHMENT_PREFIX + digest:
            raise _damaged(path, _("the attachment {name!r} is not named by its hash").format(name=name))
        seen.add(name)
        members.append(Member(name, size, digest))
    if PAYLOAD not in seen:
        raise _damaged(path, _("it has no payload"))
    return Manifest(
        package_id=document["package_id"],
        kind=document["kind"],
        created_at=document["created_at"],
        app_version=document["app_version"],
        sender=sender,
        members=tuple(members),
        encryption=encryption,
        recipient=recipient,
        counts=dict(counts),
        raw=raw,
    )


class PackageReader:
    """An open, verified package.  Use as a context manager; ``close()`` releases the file."""

    def __init__(self, path: Path, zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo],
                 manifest: Manifest, limits: Limits) -> None:
        self.path = path
        self._zf = zf
        self._infos = infos
        self.manifest = manifest
        self.limits = limits
        self.sha256 = ""  # of the whole file, filled in by open_package
        # Small members keep the bytes that were verified, so they are read once only.
        self._verified: dict[str, bytes] = {}
        self._data: bytes | None = None  # the whole file, when it is held in memory

    def __enter__(self) -> PackageReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zf.close()

    def read_member(self, name: str, limit: int) -> bytes:
        """The stored bytes of a member, checked again against the manifest's hash."""
        member = self.manifest.member(name)
        assert member is not None
        cached = self._verified.get(name)
        if cached is not None:
            return cached
        data = _read_bounded(self.path, self._zf, self._infos[name], min(limit, member.size), self._data)
        if len(data) != member.size or hashlib.sha256(data).hexdigest() != member.sha256:
            raise PackageSignatureError(
                _("{file} was changed while it was being read.").format(file=self.path.name))
        return data

    def decryption_key(self, private_key_for: Any) -> bytes | None:
        """The per-package AES key (``None`` for a plain package).

        ``private_key_for(fingerprint)`` returns one of our X25519 private keys or ``None``.
        """
        entry = self.manifest.encryption
        if entry is None:
            return None
        private = private_key_for(entry["recipient_key_fingerprint"])
        if private is None:
            raise PackageEncryptionError(
                _("{file} is encrypted for another key (fingerprint {fingerprint}), which this profile does not hold.").format(
                    file=self.path.name, fingerprint=entry["recipient_key_fingerprint"]))
        try:
            return crypto.open_envelope(self.manifest.package_id, self.manifest.sender.signing_public_key,
                                        entry, private)
        except crypto.DecryptionFailed:
            raise PackageEncryptionError(
                _("{file} cannot be decrypted: its encryption header is damaged.").format(file=self.path.name)
            ) from None

    def _plain(self, key: bytes | None, stored: bytes) -> bytes:
        if key is None:
            return stored
        try:
            return crypto.decrypt_member(key, crypto.member_aad(self.manifest.package_id), stored)
        except crypto.DecryptionFailed:
            raise PackageEncryptionError(
                _("{file} cannot be decrypted: a member was altered or the key is wrong.").format(
                    file=self.path.name)) from None

    def payload(self, key: bytes | None) -> bytes:
        return self._plain(key, self.read_member(PAYLOAD, self.limits.max_payload_bytes))

    def attachments(self, key: bytes | None) -> Iterator[tuple[str, bytes]]:
        """``(sha256 of the plaintext, plaintext)`` for every attachment."""
        for member in self.manifest.attachment_members:
            data = self._plain(key, self.read_member(member.name, self.limits.max_member_bytes))
            yield hashlib.sha256(data).hexdigest(), data


def _member_in_memory(path: Path, data: bytes, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A member of a package held in memory, read as ``ZipFile.open`` would (local header
    checked against the central directory, never more than ``limit`` bytes inflated, size
    and CRC-32 checked) without a file object and a decompressor stream per member.

    Packages are read member by member thousands of times per import; this is most of
    what reading the container costs.
    """
    def unreadable(reason: str) -> PackageDamagedError:
        return _damaged(path, _("the member {name!r} cannot be read ({reason})").format(
            name=info.filename, reason=reason))

    offset = info.header_offset
    try:
        header = _LOCAL_HEADER.unpack_from(data, offset)
    except struct.error:
        raise unreadable("BadZipFile") from None
    if header[0] != _LOCAL_SIGNATURE:
        raise unreadable("BadZipFile")
    name_start = offset + _LOCAL_HEADER.size
    name_end = name_start + header[10]
    try:
        local_name = data[name_start:name_end].decode("utf-8" if header[3] & _FLAG_UTF8_NAME else "cp437")
    except UnicodeDecodeError:
        raise unreadable("BadZipFile") from None
    if local_name != info.orig_filename:
        raise unreadable("BadZipFile")
    start = name_end + header[11]
    end = start + info.compress_size
    if end > len(data) or info.compress_size < 0:
        raise unreadable("EOFError")
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size > limit:
            raise _too_large(path, _("the member {name!r} is larger than it claims").format(name=info.filename))
        member = data[start:end]
    else:  # deflated: _check_infos refuses every other method
        inflater = zlib.decompressobj(-15)
        try:
            member = inflater.decompress(memoryview(data)[start:end], limit + 1)
        except zlib.error:
            raise unreadable("error") from None
        if len(member) > limit:
            raise _too_large(path, _("the member {name!r} is larger than it claims").format(name=info.filename))
    if len(member) != info.file_size or zlib.crc32(member) != info.CRC:
        raise unreadable("BadZipFile")
    return member


def _read_bounded(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int,
                  data: bytes | None = None) -> bytes:
    """Read a member, never producing more than ``limit`` bytes whatever the header says.

    ``data``: the whole file, when it is held in memory.
    """
    if data is not None:
        return _member_in_memory(path, data, info, limit)
    chunks: list[bytes] = []
    total = 0
    try:
        with zf.open(info) as handle:
            while True:
                chunk = handle.read(min(_CHUNK, limit + 1 - total))
                if not chunk:
                    break
                total += len(chunk)
                if total > limit:
                    raise _too_large(path, _("the member {name!r} is larger than it claims").format(
                        name=info.filename))
                chunks.append(chunk)
    except PackageTooLargeError:
        raise
    except _ERRORS_OF_ZIPFILE as exc:
        raise _damaged(path, _("the member {name!r} cannot be read ({reason})").format(
            name=info.filename, reason=type(exc).__name__)) from None
    return b"".join(chunks)


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class NotAccepted(Exception):  # noqa: N818 - not an error: a decision of the caller's
    """Raised by ``open_package`` when ``accept`` turned the signed manifest down."""

    def __init__(self, manifest: Manifest) -> None:
        super().__init__(manifest.package_id)
        self.manifest = manifest


def open_package(path: Path, limits: Limits = DEFAULT_LIMITS, *,
                 accept: Callable[[Manifest], bool] | None = None) -> PackageReader:
    """Open a package file and verify its structure, signature and every member hash.

    The order matters: ZIP structure and limits first (cheap, before decompressing
    anything), then the manifest (version before anything else it says), then
    the signature over the exact manifest bytes, then every member's size and
    SHA-256 against the signed manifest.
    """
    path = Path(path)
    try:
        status = path.stat()
    except OSError as exc:
        raise PackageDamagedError(_("Cannot read {file}: {reason}").format(
            file=path, reason=exc.strerror or exc)) from exc
    if not stat.S_ISREG(status.st_mode):
        raise PackageDamagedError(_("{file} is not a file.").format(file=path))
    size = status.st_size
    if size > limits.max_file_bytes:
        raise _too_large(path, _("the file is larger than {limit} bytes").format(limit=limits.max_file_bytes))
    # Packages of ordinary size are read in one go: one system call instead of several per
    # member, and the bytes verified are exactly the bytes used later.
    file_sha256 = ""
    data: bytes | None = None
    try:
        if size <= _IN_MEMORY_BYTES:
            data = path.read_bytes()
            file_sha256 = hashlib.sha256(data).hexdigest()
            zf = zipfile.ZipFile(io.BytesIO(data))
        else:
            zf = zipfile.ZipFile(path)
    except OSError as exc:
        raise PackageDamagedError(_("Cannot read {file}: {reason}").format(
            file=path, reason=exc.strerror or exc)) from exc
    except _ERRORS_OF_ZIPFILE:
        raise _damaged(path, _("it is not a readable ZIP archive")) from None
    try:
        reader = _verify(path, zf, limits, data, accept)
        reader.sha256 = file_sha256 or _hash_file(path)
        return reader
    except BaseException:
        zf.close()
        raise


def read_manifest(path: Path, limits: Limits = DEFAULT_LIMITS) -> Manifest:
    """The signed manifest of a package file, checked as ``open_package`` checks it (ZIP
    structure and limits, manifest, signature, the members against the manifest's list and
    sizes) but without reading, hashing or decrypting any other member.

    What the importer reads of a package before it knows whether the sender is trusted:
    a few kilobytes, whatever the size of the file.  The member hashes are checked when
    the package is applied (``open_package``).
    """
    path = Path(path)
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            raise PackageDamagedError(_("{file} is not a file.").format(file=path))
        if status.st_size > limits.max_file_bytes:
            raise _too_large(path, _("the file is larger than {limit} bytes").format(limit=limits.max_file_bytes))
        zf = zipfile.ZipFile(path)
    except OSError as exc:
        raise PackageDamagedError(_("Cannot read {file}: {reason}").format(
            file=path, reason=exc.strerror or exc)) from exc
    except _ERRORS_OF_ZIPFILE:
        raise _damaged(path, _("it is not a readable ZIP archive")) from None
    with zf:
        by_name, manifest = _signed_manifest(path, zf, limits)
        for member in manifest.members:
            if by_name[member.name].file_size != member.size:
                raise PackageSignatureError(_("{file}: the member {name!r} does not have its signed size.").format(
                    file=path.name, name=member.name))
    return manifest


def _signed_manifest(path: Path, zf: zipfile.ZipFile, limits: Limits,
                     data: bytes | None = None) -> tuple[dict[str, zipfile.ZipInfo], Manifest]:
    """The members (checked against the limits) and the manifest (parsed, its signature
    verified, its list of members the archive's)."""
    try:
        infos = zf.infolist()
    except _ERRORS_OF_ZIPFILE:
        raise _damaged(path, _("it is not a readable ZIP archive")) from None
    by_name = _check_infos(path, infos, limits)
    if MANIFEST not in by_name:
        raise _damaged(path, _("it has no manifest"))
    if SIGNATURE not in by_name:
        raise PackageSignatureError(_("{file} is not signed.").format(file=path.name))
    raw = _read_bounded(path, zf, by_name[MANIFEST], limits.max_manifest_bytes, data)
    manifest = parse_manifest(path, raw)
    signature = _read_bounded(path, zf, by_name[SIGNATURE], 64, data)
    try:
        public = Ed25519PublicKey.from_public_bytes(unb64(manifest.sender.signing_public_key))
        public.verify(signature, raw)
    except (ValueError, InvalidSignature):
        raise PackageSignatureError(
            _("{file} has an invalid signature: it was altered or not made by the device it names.").format(
                file=path.name)) from None
    listed = {m.name for m in manifest.members}
    present = set(by_name) - {MANIFEST, SIGNATURE}
    if present - listed:
        raise PackageSignatureError(_("{file} contains a member that its signed manifest does not list.").format(
            file=path.name))
    if listed - present:
        raise _damaged(path, _("a member listed in its manifest is missing"))
    return by_name, manifest


def _verify(path: Path, zf: zipfile.ZipFile, limits: Limits, data: bytes | None = None,
            accept: Callable[[Manifest], bool] | None = None) -> PackageReader:
    by_name, manifest = _signed_manifest(path, zf, limits, data)
    if accept is not None and not accept(manifest):
        raise NotAccepted(manifest)  # before any member is hashed
    verified: dict[str, bytes] = {}
    budget = _VERIFIED_CACHE_BYTES
    for member in manifest.members:
        info = by_name[member.name]
        if info.file_size != member.size:
            raise PackageSignatureError(_("{file}: the member {name!r} does not have its signed size.").format(
                file=path.name, name=member.name))
        if data is not None:
            content = _member_in_memory(path, data, info, member.size)
            if hashlib.sha256(content).hexdigest() != member.sha256:
                raise PackageSignatureError(_("{file}: the member {name!r} does not match its signed hash.").format(
                    file=path.name, name=member.name))
            if member.size <= budget:
                verified[member.name] = content
                budget -= member.size
            continue
        digest = hashlib.sha256()
        total = 0
        keep = member.size <= budget
        chunks: list[bytes] = []
        try:
            with zf.open(info) as handle:
                while True:
                    chunk = handle.read(min(_CHUNK, member.size + 1 - total))
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > member.size:
                        break
                    digest.update(chunk)
                    if keep:
                        chunks.append(chunk)
        except _ERRORS_OF_ZIPFILE as exc:
            raise _damaged(path, _("the member {name!r} cannot be read ({reason})").format(
                name=member.name, reason=type(exc).__name__)) from None
        if total != member.size or digest.hexdigest() != member.sha256:
            raise PackageSignatureError(_("{file}: the member {name!r} does not match its signed hash.").format(
                file=path.name, name=member.name))
        if keep:
            verified[member.name] = b"".join(chunks)
            budget -= member.size
    reader = PackageReader(path, zf, by_name, manifest, limits)
    reader._verified = verified
    reader._data = data
    return reader
