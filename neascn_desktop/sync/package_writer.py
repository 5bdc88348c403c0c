"""Writing a ``.neascn`` package: the payload, attachments, the manifest with every member's hash,
its signature and (for a recipient) the encryption envelope, as one ZIP file."""


from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from neascn_desktop.i18n import _
from neascn_desktop.sync import crypto
from neascn_desktop.sync.errors import (
    PackageDamagedError,
)
from neascn_desktop.sync.package_format import (
    ATTACHMENT_PREFIX,
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST,
    PAYLOAD,
    SIGNATURE,
    Manifest,
    Member,
    Sender,
)


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
    payload: bytes | Iterable[bytes],
    attachments: Iterable[AttachmentSource] = (),
    envelope: crypto.Envelope | None = None,
    recipient: dict[str, str] | None = None,
    counts: dict[str, int] | None = None,
    optional_fields: dict[str, Any] | None = None,
) -> Manifest:
    """Write a complete package atomically (a temporary file renamed into place).

    ``optional_fields`` are further manifest fields of version 1 (§9 of the format), such as
    a deployment's ``acknowledgements``; they cannot replace the fields written here.
    ``payload`` may be given in pieces (an iterable of bytes): it is then encrypted, hashed
    and written piece by piece, never held whole in memory.
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
            pieces: Iterable[bytes] = (payload,) if isinstance(payload, bytes) else payload
            if envelope is not None:
                pieces = crypto.encrypt_stream(envelope.key, aad, pieces)
            members.append(_stream_member(zf, PAYLOAD, pieces, compress=envelope is None))
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


def _member_info(name: str, compress: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def _write_member(zf: zipfile.ZipFile, name: str, data: bytes, *, compress: bool) -> None:
    zf.writestr(_member_info(name, compress), data)


def _stream_member(zf: zipfile.ZipFile, name: str, pieces: Iterable[bytes], *, compress: bool) -> Member:
    """Write a member piece by piece; its size and SHA-256 are those of the bytes stored."""
    digest = hashlib.sha256()
    size = 0
    with zf.open(_member_info(name, compress), "w") as member:
        for piece in pieces:
            if piece:
                member.write(piece)
                digest.update(piece)
                size += len(piece)
    return Member(name, size, digest.hexdigest())
