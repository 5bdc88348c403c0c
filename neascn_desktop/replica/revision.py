"""Immutable revisions and their content-derived ids.

A revision's ``id`` is the SHA-256 of the canonical JSON of everything else, so
the same change has the same id on every machine and a revision cannot be
altered without changing its id. Canonical JSON: keys sorted, separators
``(",", ":")``, ``ensure_ascii=False``, UTF-8, parents sorted, no NaN/Infinity.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from neascn_desktop.i18n import _
from neascn_desktop.replica.errors import ReplicaError

#: Clock values are ``"%013d-%06d" % (wall_ms, counter)``; see ``replica.clock``.
CLOCK_PATTERN = re.compile(r"^\d{13}-\d{6}$")
_ID_PATTERN = re.compile(r"^[0-9a-f]{64}$")
#: Longest accepted entity type / entity id / device id (they are stored in indexed columns).
MAX_NAME_LENGTH = 100


def canonical_json(value: Any) -> str:
    """The canonical JSON text of a JSON value (sorted keys, compact, no NaN)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


#: ``json.dumps(value, ensure_ascii=False)`` for a string: the function it calls, without building
#: an encoder each time (ids are recomputed for every revision read from a package).
_dumps_str: Callable[[str], str] = json.encoder.encode_basestring


def _content_text(
    entity_type: str,
    entity_id: str,
    parents: tuple[str, ...],
    device_id: str,
    clock: str,
    payload_json: str,
) -> str:
    # Assembled by hand in sorted-key order so that the payload is encoded only
    # once (its text is also what the database stores). This is byte-for-byte
    # ``canonical_json`` of the whole object; a unit test checks the equivalence.
    return (
        '{"clock":' + _dumps_str(clock)
        + ',"device_id":' + _dumps_str(device_id)
        + ',"entity_id":' + _dumps_str(entity_id)
        + ',"entity_type":' + _dumps_str(entity_type)
        + ',"parents":[' + ",".join(_dumps_str(p) for p in parents) + "]"
        + ',"payload":' + payload_json
        + "}"
    )


def compute_id(
    entity_type: str,
    entity_id: str,
    parents: Iterable[str],
    device_id: str,
    clock: str,
    payload: Mapping[str, Any],
) -> str:
    """The id a revision with this content must have (SHA-256 hex of its canonical JSON)."""
    text = _content_text(
        entity_type, entity_id, tuple(sorted(parents)), device_id, clock, canonical_json(payload)
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Revision:
    """One immutable version of one entity.

    ``parents`` is sorted; ``payload`` is a JSON object and must not be mutated.
    ``provenance`` (the id of the package it arrived in, ``None`` for local
    commits) is local bookkeeping: it is not part of the content, the id, the
    equality or ``to_dict()``.
    """

    id: str
    entity_type: str
    entity_id: str
    parents: tuple[str, ...]
    device_id: str
    clock: str
    payload: dict[str, Any]
    provenance: str | None = field(default=None, compare=False)

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def payload_json(self) -> str:
        """The canonical JSON text of the payload (computed once, then cached)."""
        cached = self.__dict__.get("_payload_json")
        if cached is None:
            cached = canonical_json(self.payload)
            object.__setattr__(self, "_payload_json", cached)
        return cached

    @property
    def sort_key(self) -> tuple[str, str, str]:
        """The order that picks the displayed winner among heads: clock, then device, then id."""
        return (self.clock, self.device_id, self.id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form written to packages (one JSON Lines record)."""
        return {
            "id": self.id,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "parents": list(self.parents),
            "device_id": self.device_id,
            "clock": self.clock,
            "payload": self.payload,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], verify: bool = True) -> Revision:
        """Read a revision written by ``to_dict``.

        With ``verify`` (the default) the id is recomputed from the content and
        a mismatch raises ``ReplicaError``; malformed records always do.
        """
        if not isinstance(data, Mapping):
            raise ReplicaError(_("A revision record is not a JSON object."))
        try:
            rev_id = data["id"]
            entity_type = data["entity_type"]
            entity_id = data["entity_id"]
            parents = data.get("parents", [])
            device_id = data["device_id"]
            clock = data["clock"]
            payload = data["payload"]
        except KeyError as exc:
            raise ReplicaError(
                _("A revision record lacks the field {field}.").format(field=exc.args[0])
            ) from None
        if not isinstance(rev_id, str) or not _ID_PATTERN.match(rev_id):
            raise ReplicaError(_("A revision record has a malformed id."))
        if not isinstance(parents, list | tuple):
            raise ReplicaError(_("The parents of revision {id} are not a list.").format(id=rev_id))
        sorted_parents = tuple(sorted(set(parents))) if _all_ids(parents) else None
        if sorted_parents is None or len(sorted_parents) != len(parents):
            raise ReplicaError(_("The parents of revision {id} are malformed.").format(id=rev_id))
        _check_fields(entity_type, entity_id, device_id, clock, payload)
        payload_json = _payload_json_or_error(payload)
        if verify:
            text = _content_text(entity_type, entity_id, sorted_parents, device_id, clock, payload_json)
            if hashlib.sha256(text.encode("utf-8")).hexdigest() != rev_id:
                raise ReplicaError(
                    _("Revision {id} does not match its content; it was altered or damaged.").format(
                        id=rev_id
                    )
                )
        revision = cls(
            id=rev_id,
            entity_type=entity_type,
            entity_id=entity_id,
            parents=sorted_parents,
            device_id=device_id,
            clock=clock,
            payload=dict(payload),
        )
        object.__setattr__(revision, "_payload_json", payload_json)
        return revision

    def checked_fields(self) -> tuple[Any, ...]:
        """What ``from_checked`` needs (plain values: marshal and pickle handle them fast)."""
        return (self.id, self.entity_type, self.entity_id, self.parents, self.device_id, self.clock,
                self.payload_json)

    @classmethod
    def from_checked(cls, fields: tuple[Any, ...], payload: dict[str, Any] | None = None) -> Revision:
        """Rebuild a revision that ``from_dict(verify=True)`` accepted in another process (the
        package readers of ``sync.reading``) from its ``checked_fields()``.

        Nothing is checked again and the frozen dataclass's ``__init__`` (one
        ``__setattr__`` per field) is skipped.  Without ``payload`` the payload is
        parsed from its canonical text when it is first used: an import mostly
        stores the text and never needs the objects.
        """
        rev_id, entity_type, entity_id, parents, device_id, clock, payload_json = fields
        revision = object.__new__(cls)
        values = revision.__dict__
        values.update(id=rev_id, entity_type=entity_type, entity_id=entity_id, parents=tuple(parents),
                      device_id=device_id, clock=clock, provenance=None, _payload_json=payload_json)
        if payload is not None:
            values["payload"] = payload
        return revision

    if not TYPE_CHECKING:  # for type checkers, ``payload`` is the field: no catch-all attribute

        def __getattr__(self, name: str) -> Any:
            # Reached only for attributes that are not set: the payload of a revision rebuilt
            # by ``from_checked`` without it.
            if name == "payload":
                values = self.__dict__
                text = values.get("_payload_json")
                if text is not None:
                    payload = json.loads(text)
                    values["payload"] = payload
                    return payload
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


#: The payload of a record withdrawn altogether (the revisions that created it were withdrawn,
#: see ``replica.withdrawal``).  Readers of current states (``replica.current``,
#: ``replica.list_current``) leave such records out.
WITHDRAWN_KEY = "_withdrawn"
WITHDRAWN: dict[str, Any] = {WITHDRAWN_KEY: True}


def is_withdrawn(payload: Mapping[str, Any]) -> bool:
    """Whether a payload is the withdrawn marker (a record that no longer exists)."""
    return len(payload) == 1 and payload.get(WITHDRAWN_KEY) is True


def _all_ids(values: Iterable[Any]) -> bool:
    return all(isinstance(v, str) and _ID_PATTERN.match(v) for v in values)


def _check_name(value: Any, what: str) -> None:
    if not isinstance(value, str) or not value or len(value) > MAX_NAME_LENGTH:
        raise ReplicaError(
            _("A revision has an invalid {what} (a text of 1 to {limit} characters is required).").format(
                what=what, limit=MAX_NAME_LENGTH
            )
        )


def _check_fields(entity_type: Any, entity_id: Any, device_id: Any, clock: Any, payload: Any) -> None:
    _check_name(entity_type, "entity_type")
    _check_name(entity_id, "entity_id")
    _check_name(device_id, "device_id")
    if not isinstance(clock, str) or not CLOCK_PATTERN.match(clock):
        raise ReplicaError(
            _("A revision has a malformed clock value: {clock}.").format(clock=str(clock)[:40])
        )
    if not isinstance(payload, dict):
        raise ReplicaError(_("A revision payload must be a JSON object."))


def _payload_json_or_error(payload: dict[str, Any]) -> str:
    try:
        return canonical_json(payload)
    except (TypeError, ValueError) as exc:
        raise ReplicaError(
            _("A revision payload is not valid JSON: {reason}").format(reason=exc)
        ) from None


def make_revision(
    entity_type: str,
    entity_id: str,
    parents: Iterable[str],
    device_id: str,
    clock: str,
    payload: Mapping[str, Any],
) -> Revision:
    """Build a revision and compute its id from its content (parents are sorted and deduplicated)."""
    parent_list = list(parents)
    if not _all_ids(parent_list):
        raise ReplicaError(_("A revision's parents must be revision ids."))
    sorted_parents = tuple(sorted(set(parent_list)))
    payload_dict = dict(payload) if isinstance(payload, Mapping) else payload
    _check_fields(entity_type, entity_id, device_id, clock, payload_dict)
    payload_json = _payload_json_or_error(payload_dict)
    text = _content_text(entity_type, entity_id, sorted_parents, device_id, clock, payload_json)
    revision = Revision(
        id=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        entity_type=entity_type,
        entity_id=entity_id,
        parents=sorted_parents,
        device_id=device_id,
        clock=clock,
        payload=payload_dict,
    )
    object.__setattr__(revision, "_payload_json", payload_json)
    return revision
