"""The acknowledgement field of a package manifest: its format, limits and checks.

Kept apart from ``sync.receipts`` (which stores and builds acknowledgements in the
database) so that the package reader checks it without SQLAlchemy, like the rest of
the manifest.  ``docs/package-format.md`` §12 specifies it.
"""

from __future__ import annotations

import json
import re

from neascn_desktop.i18n import _
from neascn_desktop.sync.container import Manifest
from neascn_desktop.sync.errors import PackageDamagedError, PackageTooLargeError

#: The optional manifest field (format version 1, §9: readers ignore fields they do not know).
FIELD = "acknowledgements"
#: The kinds that may carry one: the packages a secretariat sends to field devices.
KINDS = frozenset({"deployment", "all"})
#: At most this many revision ids in one acknowledgement (about 3.7 MB of manifest); every
#: device listed has at least one, so this bounds the devices too.
MAX_REVISIONS = 50_000
_REVISION_ID = re.compile(r"[0-9a-f]{64}")


def parse(manifest: Manifest, file_name: str) -> dict[str, tuple[str, ...]]:
    """The acknowledgement of a verified manifest, checked for shape and size ({} if none).

    Raises ``PackageDamagedError`` (``PackageTooLargeError``) with one sentence.
    """
    if FIELD.encode("ascii") not in manifest.raw:
        return {}  # the usual case: no need to parse the manifest a second time
    document = json.loads(manifest.raw.decode("utf-8"))
    if not isinstance(document, dict) or FIELD not in document:
        return {}
    value = document[FIELD]
    damaged = PackageDamagedError(
        _("{file} is damaged: its acknowledgement of received revisions is malformed.").format(file=file_name))
    if manifest.kind not in KINDS or not isinstance(value, dict):
        raise damaged
    if len(value) > MAX_REVISIONS or sum(len(v) for v in value.values() if isinstance(v, list)) > MAX_REVISIONS:
        raise PackageTooLargeError(
            _("{file} acknowledges more than {limit} revisions.").format(file=file_name, limit=MAX_REVISIONS))
    result: dict[str, tuple[str, ...]] = {}
    for device_id, ids in value.items():
        if not 1 <= len(device_id) <= 100 or not isinstance(ids, list) or not ids:
            raise damaged
        if not all(isinstance(i, str) and _REVISION_ID.fullmatch(i) for i in ids) or len(set(ids)) != len(ids):
            raise damaged
        result[device_id] = tuple(ids)
    return result


def check(manifest: Manifest, file_name: str) -> None:
    """Refuse a package whose acknowledgement is malformed or too large (when it is read)."""
    parse(manifest, file_name)
