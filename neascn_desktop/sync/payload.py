"""The payload of a package: revisions as JSON Lines, and what each kind may carry.

One line per revision, ``Revision.to_dict()`` as compact JSON with sorted keys,
parents before children.  Reading checks every line (shape, and that the id
is the hash of the content) before any of it is used.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from neascn_desktop.i18n import N_, _
from neascn_desktop.replica import ReplicaError, Revision
from neascn_desktop.sync.errors import PackageDamagedError, PackageTooLargeError

ENTITY_TYPES = ("survey_definition", "city", "submission", "framework_section", "framework_comment")

#: What each kind of package may contain.
KIND_TYPES: dict[str, frozenset[str]] = {
    "deployment": frozenset({"survey_definition", "city"}),
    "responses": frozenset({"submission", "survey_definition", "city"}),
    "framework": frozenset({"framework_section", "framework_comment"}),
    "all": frozenset(ENTITY_TYPES),
}

MAX_REVISIONS = 1_000_000
MAX_LINE_BYTES = 32 * 1024 * 1024


def encode_line(revision: Revision) -> bytes:
    return (json.dumps(revision.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            + "\n").encode("utf-8")


def encode(revisions: Iterable[Revision]) -> bytes:
    return b"".join(encode_line(r) for r in revisions)


def decode(data: bytes, kind: str, file_name: str) -> list[Revision]:
    """Every revision of a payload; raises ``PackageDamagedError`` naming the first bad line."""
    allowed = KIND_TYPES[kind]
    revisions: list[Revision] = []
    for number, line in enumerate(_lines(data, file_name), start=1):
        if number > MAX_REVISIONS:
            raise PackageTooLargeError.said(N_("{file} has more than {limit} revisions."),
                                            file=file_name, limit=MAX_REVISIONS)
        try:
            record = json.loads(line)
            revision = Revision.from_dict(record, verify=True)
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise PackageDamagedError.said(N_("{file} is damaged: revision {number} is not valid JSON."),
                                           file=file_name, number=number) from None
        except ReplicaError as exc:
            raise PackageDamagedError.said(N_("{file} is damaged: revision {number}: {reason}"),
                                           file=file_name, number=number, reason=exc) from None
        if revision.entity_type not in allowed:
            raise PackageDamagedError(
                _("{file} is a {kind} package but contains a record of type {type}.").format(
                    file=file_name, kind=kind, type=revision.entity_type))
        revisions.append(revision)
    return revisions


def _lines(data: bytes, file_name: str) -> Iterator[bytes]:
    start = 0
    size = len(data)
    while start < size:
        end = data.find(b"\n", start)
        if end < 0:
            end = size
        if end - start > MAX_LINE_BYTES:
            raise PackageTooLargeError.said(N_("{file} contains a revision larger than {limit} bytes."),
                                            file=file_name, limit=MAX_LINE_BYTES)
        line = data[start:end]
        start = end + 1
        if line.strip():
            yield line


def attachment_refs(revision: Revision) -> set[str]:
    """The content hashes a revision refers to: a submission's attachments, a survey
    definition's media files (its ``media``: choice-list files, ``pulldata`` tables, images)."""
    if revision.entity_type not in ("submission", "survey_definition"):
        return set()
    found: set[str] = set()
    field = "attachments" if revision.entity_type == "submission" else "media"
    attachments: Any = revision.payload.get(field)
    if isinstance(attachments, dict):
        for entry in attachments.values():
            if isinstance(entry, dict) and isinstance(entry.get("sha256"), str):
                found.add(entry["sha256"])
    return found


def definition_ref(revision: Revision) -> str | None:
    """The survey-definition entity id a submission answered (``form_id@version``)."""
    if revision.entity_type != "submission":
        return None
    form_id = revision.payload.get("form_id")
    version = revision.payload.get("form_version")
    if isinstance(form_id, str) and isinstance(version, str):
        return f"{form_id}@{version}"
    return None
