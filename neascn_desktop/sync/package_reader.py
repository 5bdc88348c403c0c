"""Reading a ``.neascn`` package defensively: ZIP names and layout, the manifest and its
signature, every member hash, the decryption; ``open_package`` returns a checked
``PackageReader`` or raises a ``PackageError`` with one sentence saying why."""


from __future__ import annotations

import hashlib
import io
import json
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, TypeGuard

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from neascn_desktop.i18n import N_, _
from neascn_desktop.i18n.safe_text import is_safe, safe_text
from neascn_desktop.identity.keys import canonical_uuid, unb64
from neascn_desktop.sync import crypto
from neascn_desktop.sync.errors import (
    PackageDamagedError,
    PackageEncryptionError,
    PackageError,
    PackageSignatureError,
    PackageTooLargeError,
    PackageUnsafeError,
    PackageVersionError,
)
from neascn_desktop.sync.package_format import (
    ATTACHMENT_PREFIX,
    DEFAULT_LIMITS,
    FORMAT_NAME,
    FORMAT_VERSION,
    KINDS,
    MANIFEST,
    PAYLOAD,
    SENDER_ROLES,
    SIGNATURE,
    Limits,
    Manifest,
    Member,
    Sender,
)

_ATTACHMENT_RE = re.compile(r"attachments/[0-9a-f]{64}")
_HEX64_RE = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20
_VERIFIED_CACHE_BYTES = 32 * 1024 * 1024
# General-purpose flag bits of a ZIP member (APPNOTE 4.4.4).
_FLAG_ENCRYPTED = 0x1
_FLAG_PATCHED = 0x20
_FLAG_STRONG_ENCRYPTION = 0x40
#: The records of APPNOTE 4.3 that the layout check reads: a member's local header (4.3.7),
#: the end of central directory record (4.3.16), and ZIP64's locator (4.3.15) and end
#: record (4.3.14, fixed part).
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_END = struct.Struct("<4s4H2LH")
_END_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_END = struct.Struct("<4sQ2H2L4Q")
_ZIP64_END_SIGNATURE = b"PK\x06\x06"
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

#: Sender fields shown to people (sanitised when a manifest is parsed; see ``safe_text``).
_SHOWN_SENDER_FIELDS = frozenset({"display_name", "organisation", "role"})


def _reason(template: str, values: dict[str, Any]) -> PackageError:
    """The technical detail of a refusal, kept as an event too (the audit log says it in each
    reader's language)."""
    return PackageError.said(template, **values)


def _damaged(path: Path, reason: str, **values: Any) -> PackageDamagedError:
    # Said to the person holding the file: what to do first, the technical detail after.
    return PackageDamagedError.said(N_("{file} is damaged; ask the sender for a new copy ({reason})."),
                                    file=path.name, reason=_reason(reason, values))


def _unsafe(path: Path, reason: str, **values: Any) -> PackageUnsafeError:
    return PackageUnsafeError.said(N_("{file} was refused as unsafe: {reason}"), file=path.name,
                                   reason=_reason(reason, values))


def _too_large(path: Path, reason: str, **values: Any) -> PackageTooLargeError:
    return PackageTooLargeError.said(N_("{file} was refused: {reason}"), file=path.name,
                                     reason=_reason(reason, values))


_ALLOWED_NAMES = frozenset({MANIFEST, SIGNATURE, PAYLOAD})


def _check_name(path: Path, name: str) -> None:
    """Refuse any member name that could escape a folder or smuggle something in."""
    if name in _ALLOWED_NAMES or _ATTACHMENT_RE.fullmatch(name):
        return  # the only names a package may use; the checks below explain any other
    if "\x00" in name or "\\" in name:
        raise _unsafe(path, N_("the member name {name!r} contains forbidden characters"), name=name)
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise _unsafe(path, N_("the member {name!r} has an absolute path"), name=name)
    parts = name.split("/")
    if any(part in ("..", ".", "") for part in parts):
        raise _unsafe(path, N_("the member {name!r} has a relative path that could escape"), name=name)
    if name not in (MANIFEST, SIGNATURE, PAYLOAD) and not _ATTACHMENT_RE.fullmatch(name):
        raise _unsafe(path, N_("it contains an unexpected member {name!r}"), name=name)


def _check_infos(path: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> dict[str, zipfile.ZipInfo]:
    if len(infos) > limits.max_members:
        raise _too_large(path, N_("it has {count} members, more than the limit of {limit}"),
                         count=len(infos), limit=limits.max_members)
    by_name: dict[str, zipfile.ZipInfo] = {}
    folded: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        _check_name(path, name)
        if name.casefold() in folded:
            raise _unsafe(path, N_("the member {name!r} appears more than once"), name=name)
        folded.add(name.casefold())
        mode = info.external_attr >> 16
        if info.is_dir() or stat.S_ISDIR(mode):
            raise _unsafe(path, N_("it contains a folder entry {name!r}"), name=name)
        # Many zip tools write permission bits without a file type; only a type other
        # than "regular file" (a link, a device, a fifo) is refused.
        if stat.S_IFMT(mode) not in (0, stat.S_IFREG):
            raise _unsafe(path, N_("the member {name!r} is a link or special file"), name=name)
        if info.flag_bits & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION):
            raise _unsafe(path, N_("the member {name!r} uses ZIP encryption"), name=name)
        if info.flag_bits & _FLAG_PATCHED:
            raise _damaged(path, N_("the member {name!r} uses an unsupported compression"), name=name)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _damaged(path, N_("the member {name!r} uses an unsupported compression"), name=name)
        if info.file_size > limits.max_member_bytes:
            raise _too_large(path, N_("the member {name!r} is larger than {limit} bytes"),
                             name=name, limit=limits.max_member_bytes)
        if info.file_size > limits.ratio_floor_bytes and (
            info.file_size > limits.max_ratio * max(info.compress_size, 1)
        ):
            raise _too_large(path, N_("the member {name!r} is compressed suspiciously well"), name=name)
        total += info.file_size
        if total > limits.max_total_bytes:
            raise _too_large(path, N_("its contents are larger than {limit} bytes"), limit=limits.max_total_bytes)
        by_name[name] = info
    return by_name


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # RFC 8259 has no NaN or Infinity


def _is_int(value: object) -> TypeGuard[int]:
    """A JSON integer: not a boolean (``True == 1``), not a float (``1.0 == 1``)."""
    return type(value) is int


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two readers must never see two different manifests in the same signed bytes.
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def parse_manifest(path: Path, raw: bytes) -> Manifest:
    """Check a manifest's shape; raises ``PackageVersionError`` for another format version."""
    try:
        document = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicate_keys,
                              parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _damaged(path, N_("its manifest is not valid JSON")) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise _damaged(path, N_("it is not a NEASCN package"))
    version = document.get("format_version")
    if not _is_int(version) or version != FORMAT_VERSION:
        raise PackageVersionError(
            _("{file} uses package format version {version}, but this app reads version {supported} only.").format(
                file=path.name, version=version, supported=FORMAT_VERSION)
        )
    bad = _damaged(path, N_("its manifest is incomplete or malformed"))
    if not canonical_uuid(document.get("package_id")):
        raise bad
    if document.get("kind") not in KINDS:
        raise _damaged(path, N_("it has an unknown kind {kind!r}"), kind=document.get("kind"))
    for key in ("created_at", "app_version"):
        if not isinstance(document.get(key), str) or len(document[key]) > 100:
            raise bad
    try:
        if datetime.fromisoformat(document["created_at"]).utcoffset() is None:
            raise bad  # a time without its offset cannot be compared with clocks
    except ValueError:
        raise bad from None
    sender_doc = document.get("sender")
    sender_fields = ("device_id", "display_name", "organisation", "role", "signing_public_key",
                     "encryption_public_key")
    if not isinstance(sender_doc, dict) or any(
        not isinstance(sender_doc.get(n), str) or len(sender_doc[n]) > 400 for n in sender_fields
    ):
        raise bad
    if sender_doc["role"] not in SENDER_ROLES:
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
            raise _damaged(path, N_("it uses an unknown encryption scheme {scheme!r}"), scheme=encryption["scheme"])
        encryption = {n: encryption[n] for n in names}
    recipient = document.get("recipient")
    if recipient is not None and (
        not isinstance(recipient, dict) or any(not isinstance(v, str) for v in recipient.values())
    ):
        raise bad
    counts = document.get("counts", {})
    if not isinstance(counts, dict) or any(not _is_int(v) or v < 0 for v in counts.values()):
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
            or not _is_int(size)
            or size < 0
            or not isinstance(digest, str)
            or not _HEX64_RE.fullmatch(digest)
        ):
            raise bad
        _check_name(path, name)
        if name in (MANIFEST, SIGNATURE) or name in seen:
            raise bad
        if name.startswith(ATTACHMENT_PREFIX) and name != ATTACHMENT_PREFIX + digest:
            raise _damaged(path, N_("the attachment {name!r} is not named by its hash"), name=name)
        seen.add(name)
        members.append(Member(name, size, digest))
    if PAYLOAD not in seen:
        raise _damaged(path, N_("it has no payload"))
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
        data = _read_bounded(self.path, self._zf, self._infos[name], min(limit, member.size))
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


def _read_at(handle: BinaryIO, offset: int, size: int) -> bytes:
    if offset < 0:
        return b""
    handle.seek(offset)
    return handle.read(size)


def _check_layout(path: Path, handle: BinaryIO, infos: list[zipfile.ZipInfo]) -> None:
    """The archive fills the file, and every local header agrees with the central directory.

    ``zipfile`` accepts bytes before the archive (it shifts every offset by them), after it
    (it searches for the end record) and a local header whose flags say something else than
    the central directory's (it reads the latter only).  Another reader of the same file
    could then see another package, or refuse it; see ``docs/package-format.md`` §1.
    """
    outside = _damaged(path, N_("it contains data outside its ZIP archive"))
    size = handle.seek(0, io.SEEK_END)
    # The end record with no comment is the file's last 22 bytes: exactly the case in which
    # ``zipfile`` takes it without searching.
    end = _read_at(handle, size - _END.size, _END.size)
    if len(end) != _END.size:
        raise outside
    signature, _disk, _cd_disk, _here, _total, cd_size, cd_offset, comment_size = _END.unpack(end)
    if signature != _END_SIGNATURE or comment_size:
        raise outside
    records = size - _END.size
    # As ``zipfile`` does: a ZIP64 locator just before the end record, and its end record
    # (without extensible data) just before that, replace the central directory's place.
    locator = _read_at(handle, records - _ZIP64_LOCATOR.size, _ZIP64_LOCATOR.size)
    if len(locator) == _ZIP64_LOCATOR.size and locator[:4] == _ZIP64_LOCATOR_SIGNATURE:
        start = records - _ZIP64_LOCATOR.size - _ZIP64_END.size
        record = _read_at(handle, start, _ZIP64_END.size)
        if len(record) == _ZIP64_END.size and record[:4] == _ZIP64_END_SIGNATURE:
            if _ZIP64_LOCATOR.unpack(locator)[2] != start:
                raise outside
            cd_size, cd_offset = _ZIP64_END.unpack(record)[8:10]
            records = start
    # Nothing between the central directory and the end records, nothing before the first
    # member: two packages one after the other are refused here.
    if cd_offset + cd_size != records or (infos and min(i.header_offset for i in infos) != 0):
        raise outside
    for info in infos:
        header = _read_at(handle, info.header_offset, _LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
            raise _damaged(path, N_("the part {name!r} cannot be read"), name=info.filename)
        flags, method = _LOCAL_HEADER.unpack(header)[3:5]
        if flags & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION):
            raise _unsafe(path, N_("the member {name!r} uses ZIP encryption"), name=info.filename)
        if flags & _FLAG_PATCHED or method != info.compress_type:
            raise _damaged(path, N_("the member {name!r} uses an unsupported compression"), name=info.filename)


def _member_chunks(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """A member's bytes, in chunks, never more than ``limit`` of them whatever its headers say.

    ``zipfile`` checks the local header's name against the central directory, inflates no
    more than the member's size and checks its CRC-32 at the end; ``_check_layout`` has
    checked the rest of the local header.
    """
    total = 0
    try:
        with zf.open(info) as handle:
            while chunk := handle.read(min(_CHUNK, limit + 1 - total)):
                total += len(chunk)
                if total > limit:
                    raise _too_large(path, N_("the member {name!r} is larger than it claims"), name=info.filename)
                yield chunk
    except PackageTooLargeError:
        raise
    except _ERRORS_OF_ZIPFILE:
        raise _damaged(path, N_("the part {name!r} cannot be read"), name=info.filename) from None


def _read_bounded(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Read a member, never producing more than ``limit`` bytes whatever the header says."""
    return b"".join(_member_chunks(path, zf, info, limit))


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

    def unreadable(exc: OSError) -> PackageDamagedError:
        return PackageDamagedError.said(N_("Cannot read {file}: {reason}"),
                                        file=path, reason=exc.strerror or exc)

    try:
        status = path.stat()
    except OSError as exc:
        raise unreadable(exc) from exc
    if not stat.S_ISREG(status.st_mode):
        raise PackageDamagedError.said(N_("{file} is not a file."), file=path)
    size = status.st_size
    if size > limits.max_file_bytes:
        raise _too_large(path, N_("the file is larger than {limit} bytes"), limit=limits.max_file_bytes)
    # Packages of ordinary size are read in one go, so that the bytes verified are exactly
    # the bytes used later; both kinds are read by the same ``zipfile`` code.
    data: bytes | None = None
    try:
        if size <= limits.in_memory_bytes:
            data = path.read_bytes()
            zf = zipfile.ZipFile(io.BytesIO(data))
        else:
            zf = zipfile.ZipFile(path)
    except OSError as exc:
        raise unreadable(exc) from exc
    except _ERRORS_OF_ZIPFILE:
        raise _damaged(path, N_("it is not a readable ZIP archive")) from None
    try:
        with io.BytesIO(data) if data is not None else path.open("rb") as handle:
            reader = _verify(path, zf, handle, limits, accept)
        reader.sha256 = hashlib.sha256(data).hexdigest() if data is not None else _hash_file(path)
        return reader
    except OSError as exc:
        zf.close()
        raise unreadable(exc) from exc
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
            raise PackageDamagedError.said(N_("{file} is not a file."), file=path)
        if status.st_size > limits.max_file_bytes:
            raise _too_large(path, N_("the file is larger than {limit} bytes"), limit=limits.max_file_bytes)
        with path.open("rb") as handle, zipfile.ZipFile(handle) as zf:
            by_name, manifest = _signed_manifest(path, zf, handle, limits)
            for member in manifest.members:
                if by_name[member.name].file_size != member.size:
                    raise PackageSignatureError(
                        _("{file}: the member {name!r} does not have its signed size.").format(
                            file=path.name, name=member.name))
    except OSError as exc:
        raise PackageDamagedError.said(N_("Cannot read {file}: {reason}"),
                                       file=path, reason=exc.strerror or exc) from exc
    except _ERRORS_OF_ZIPFILE:
        raise _damaged(path, N_("it is not a readable ZIP archive")) from None
    return manifest


def _signed_manifest(path: Path, zf: zipfile.ZipFile, handle: BinaryIO,
                     limits: Limits) -> tuple[dict[str, zipfile.ZipInfo], Manifest]:
    """The members (checked against the limits and the archive's layout) and the manifest
    (parsed, its signature verified, its list of members the archive's)."""
    try:
        infos = zf.infolist()
    except _ERRORS_OF_ZIPFILE:
        raise _damaged(path, N_("it is not a readable ZIP archive")) from None
    by_name = _check_infos(path, infos, limits)
    _check_layout(path, handle, infos)
    if MANIFEST not in by_name:
        raise _damaged(path, N_("it has no manifest"))
    if SIGNATURE not in by_name:
        raise PackageSignatureError.said(N_("{file} is not signed."), file=path.name)
    raw = _read_bounded(path, zf, by_name[MANIFEST], limits.max_manifest_bytes)
    manifest = parse_manifest(path, raw)
    signature = _read_bounded(path, zf, by_name[SIGNATURE], 64)
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
        raise PackageSignatureError.said(N_("{file} contains a member that its signed manifest does not list."),
                                         file=path.name)
    if listed - present:
        raise _damaged(path, N_("a member listed in its manifest is missing"))
    return by_name, manifest


def _verify(path: Path, zf: zipfile.ZipFile, handle: BinaryIO, limits: Limits,
            accept: Callable[[Manifest], bool] | None = None) -> PackageReader:
    by_name, manifest = _signed_manifest(path, zf, handle, limits)
    if accept is not None and not accept(manifest):
        raise NotAccepted(manifest)  # before any member is hashed
    verified: dict[str, bytes] = {}
    budget = _VERIFIED_CACHE_BYTES
    for member in manifest.members:
        info = by_name[member.name]
        if info.file_size != member.size:
            raise PackageSignatureError.said(N_("{file}: the member {name!r} does not have its signed size."),
                                             file=path.name, name=member.name)
        # Hashed chunk by chunk: a large member is not held whole unless it is kept.
        digest = hashlib.sha256()
        total = 0
        keep = member.size <= budget
        chunks: list[bytes] = []
        for chunk in _member_chunks(path, zf, info, member.size):
            digest.update(chunk)
            total += len(chunk)
            if keep:
                chunks.append(chunk)
        if total != member.size or digest.hexdigest() != member.sha256:
            raise PackageSignatureError.said(N_("{file}: the member {name!r} does not match its signed hash."),
                                             file=path.name, name=member.name)
        if keep:
            verified[member.name] = b"".join(chunks)
            budget -= member.size
    reader = PackageReader(path, zf, by_name, manifest, limits)
    reader._verified = verified
    return reader
