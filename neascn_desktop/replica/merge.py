"""Field-level three-way merge of dict payloads, and merge proposals for entities in conflict.

Fields changed on one side only are taken; fields changed on both sides to
different values are reported as conflicting (the merged dict keeps "ours",
which for a proposal is the displayed winner). Values are compared by their
canonical JSON, so ``1`` and ``true`` differ and key order in nested objects
does not matter. A field that is absent is reported as ``None``.

Inside the nested fields (a submission's ``answers``), a list of objects that all carry
an ``"@id"`` — the instances of a repeat (``docs/answers.md``) — merges *by id*: instances
added on either side are kept, an instance removed on one side and edited on the other is a
conflict that keeps the edited instance (never a silent loss), and inside an instance the merge
goes field by field again.  Such conflicts are named ``answers.projects[@id=…].sector`` (a
field) or ``answers.projects[@id=…]`` (removed against edited).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from neascn_desktop.i18n import _
from neascn_desktop.replica.access import _reading
from neascn_desktop.replica.ancestry import common_ancestor, entity_graph, stand_ins
from neascn_desktop.replica.errors import ReplicaError
from neascn_desktop.replica.queries import heads
from neascn_desktop.replica.revision import canonical_json

if TYPE_CHECKING:
    from neascn_desktop.replica.access import Target

_ABSENT = object()
#: The key of an instance's id in a list of instances that merges by id.
INSTANCE_ID = "@id"


@dataclass(frozen=True)
class MergeResult:
    """The merged payload and, per conflicting field, its ``(base, ours, theirs)`` values."""

    merged: dict[str, Any]
    conflicting_fields: dict[str, tuple[Any, Any, Any]] = field(default_factory=dict)
    base_revision_id: str | None = None

    @property
    def clean(self) -> bool:
        return not self.conflicting_fields


def _same(a: Any, b: Any) -> bool:
    if a is _ABSENT or b is _ABSENT:
        return a is b
    return a is b or canonical_json(a) == canonical_json(b)


def _or(value: Any, empty: Any) -> Any:
    return empty if value is _ABSENT else value


def _shown(value: Any) -> Any:
    return None if value is _ABSENT else value


def three_way_merge(
    base: Mapping[str, Any], ours: Mapping[str, Any], theirs: Mapping[str, Any],
    *, nested: Collection[str] = (),
) -> MergeResult:
    """Merge ``ours`` and ``theirs`` field by field against their common ``base``.

    The fields named in ``nested`` hold objects that are merged key by key in the
    same way (a submission's ``answers``: two devices answering different
    questions do not conflict); their conflicts are named ``field.key``.  A
    nested field that is not an object on every side where it is present is
    merged as a whole, like any other field.  Inside a nested field, lists of
    instances merge by instance id (see the module's description).
    """
    merged: dict[str, Any] = {}
    conflicting: dict[str, tuple[Any, Any, Any]] = {}
    for name in sorted(set(base) | set(ours) | set(theirs)):
        b = base.get(name, _ABSENT)
        o = ours.get(name, _ABSENT)
        t = theirs.get(name, _ABSENT)
        if name in nested and all(v is _ABSENT or isinstance(v, Mapping) for v in (b, o, t)) and (
            o is not _ABSENT or t is not _ABSENT
        ):
            merged[name] = _merge_fields(f"{name}.", _or(b, {}), _or(o, {}), _or(t, {}), conflicting)
            continue
        value = _merge_value(name, b, o, t, conflicting)
        if value is not _ABSENT:
            merged[name] = value
    return MergeResult(merged=merged, conflicting_fields=conflicting)


def _merge_value(name: str, b: Any, o: Any, t: Any,
                 conflicting: dict[str, tuple[Any, Any, Any]]) -> Any:
    """One field's merged value (``_ABSENT`` for none); a conflict keeps ours and is recorded."""
    if _same(o, t):
        return o
    if _same(o, b):
        return t
    if _same(t, b):
        return o
    conflicting[name] = (_shown(b), _shown(o), _shown(t))
    return o


def _merge_fields(prefix: str, base: Mapping[str, Any], ours: Mapping[str, Any],
                  theirs: Mapping[str, Any], conflicting: dict[str, tuple[Any, Any, Any]]) -> dict[str, Any]:
    """Key by key, lists of instances by id; conflicts named ``prefix + key``."""
    merged: dict[str, Any] = {}
    for key in sorted(set(base) | set(ours) | set(theirs)):
        b = base.get(key, _ABSENT)
        o = ours.get(key, _ABSENT)
        t = theirs.get(key, _ABSENT)
        present = [v for v in (b, o, t) if v is not _ABSENT]
        if (o is not _ABSENT or t is not _ABSENT) and all(_instance_ids(v) is not None for v in present):
            value: Any = _merge_instances(f"{prefix}{key}", _or(b, []), _or(o, []), _or(t, []),
                                          conflicting)
        else:
            value = _merge_value(prefix + key, b, o, t, conflicting)
        if value is not _ABSENT:
            merged[key] = value
    return merged


def _instance_ids(value: Any) -> list[str] | None:
    """The ids of a list of instances in order, or ``None`` if it is not one (ids must be
    texts, unique in the list)."""
    if not isinstance(value, list):
        return None
    ids = []
    for item in value:
        if not isinstance(item, Mapping) or not isinstance(item.get(INSTANCE_ID), str):
            return None
        ids.append(item[INSTANCE_ID])
    return ids if len(set(ids)) == len(ids) else None


def _merge_instances(name: str, base: list[Any], ours: list[Any], theirs: list[Any],
                     conflicting: dict[str, tuple[Any, Any, Any]]) -> list[Any]:
    by_base = {i[INSTANCE_ID]: i for i in base}
    by_ours = {i[INSTANCE_ID]: i for i in ours}
    by_theirs = {i[INSTANCE_ID]: i for i in theirs}
    kept: dict[str, Any] = {}
    for iid in [*by_ours, *(i for i in by_theirs if i not in by_ours), *(
            i for i in by_base if i not in by_ours and i not in by_theirs)]:
        b, o, t = by_base.get(iid), by_ours.get(iid), by_theirs.get(iid)
        where = f"{name}[@id={iid}]"
        if o is not None and t is not None:
            kept[iid] = _merge_fields(f"{where}.", b or {INSTANCE_ID: iid}, o, t, conflicting)
        elif o is None and t is None:
            continue  # removed on both sides
        elif b is None:
            kept[iid] = o if o is not None else t  # added on one side
        else:
            survivor = o if o is not None else t
            if not _same(survivor, b):  # removed on one side, edited on the other: keep it
                kept[iid] = survivor
                conflicting[where] = (b, o, t)
    return [kept[iid] for iid in _instance_order(
        [i[INSTANCE_ID] for i in base], [i[INSTANCE_ID] for i in ours],
        [i[INSTANCE_ID] for i in theirs], kept)]


def _instance_order(base: list[str], ours: list[str], theirs: list[str],
                    kept: Mapping[str, Any]) -> list[str]:
    """The side that reordered the instances both had gives the order (ours if both did); the
    other side's new instances go before the instance they preceded there (last if last)."""
    in_base = set(base)

    def reordered(side: list[str]) -> bool:
        return [i for i in side if i in in_base] != [i for i in base if i in set(side)]

    skeleton, other = (theirs, ours) if reordered(theirs) and not reordered(ours) else (ours, theirs)
    result = [i for i in skeleton if i in kept]
    placed = set(result)
    for position in range(len(other) - 1, -1, -1):
        iid = other[position]
        if iid in placed or iid not in kept:
            continue
        after = next((p for p in other[position + 1:] if p in placed), None)
        result.insert(result.index(after) if after is not None else len(result), iid)
        placed.add(iid)
    return result


def propose_merge(target: Target, entity_id: str, *, nested: Collection[str] = ()) -> MergeResult:
    """A merge proposal for an entity's heads against their common ancestor.

    With more than two heads they are folded into the displayed winner one by
    one (newest first); a field conflicting in any step is reported with the
    values of the first step where it conflicted. With one head the proposal is
    that head's payload. ``nested`` as for :func:`three_way_merge`.
    """
    with _reading(target) as session:
        current_heads = heads(session, entity_id)
        if not current_heads:
            raise ReplicaError(_("There is no record {entity}.").format(entity=entity_id))
        if len(current_heads) == 1:
            return MergeResult(merged=dict(current_heads[0].payload))
        graph = entity_graph(session, entity_id)
        base_rev = common_ancestor(graph, stand_ins(session, [h.id for h in current_heads]))
    base = base_rev.payload if base_rev is not None else {}
    merged: dict[str, Any] = dict(current_heads[0].payload)
    conflicting: dict[str, tuple[Any, Any, Any]] = {}
    for other in current_heads[1:]:
        step = three_way_merge(base, merged, other.payload, nested=nested)
        merged = step.merged
        for name, values in step.conflicting_fields.items():
            conflicting.setdefault(name, values)
    return MergeResult(
        merged=merged,
        conflicting_fields=conflicting,
        base_revision_id=base_rev.id if base_rev is not None else None,
    )
