"""Field-level three-way merge of dict payloads, and merge proposals for entities in conflict.

Fields changed on one side only are taken; fields changed on both sides to
different values are reported as conflicting (the merged dict keeps "ours",
which for a proposal is the displayed winner). Values are compared by their
canonical JSON, so ``1`` and ``true`` differ and key order in nested objects
does not matter. A field that is absent is reported as ``None``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from neascn_desktop.i18n import _
from neascn_desktop.replica.access import _reading
from neascn_desktop.replica.ancestry import common_ancestor, entity_graph
from neascn_desktop.replica.errors import ReplicaError
from neascn_desktop.replica.queries import heads
from neascn_desktop.replica.revision import canonical_json

if TYPE_CHECKING:
    from neascn_desktop.replica.access import Target

_ABSENT = object()


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
    merged as a whole, like any other field.
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
            inner = three_way_merge(*({} if v is _ABSENT else v for v in (b, o, t)))
            merged[name] = inner.merged
            for key, values in inner.conflicting_fields.items():
                conflicting[f"{name}.{key}"] = values
            continue
        if _same(o, t):
            value = o
        elif _same(o, b):
            value = t
        elif _same(t, b):
            value = o
        else:
            value = o
            conflicting[name] = (_shown(b), _shown(o), _shown(t))
        if value is not _ABSENT:
            merged[name] = value
    return MergeResult(merged=merged, conflicting_fields=conflicting)


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
    base_rev = common_ancestor(graph, [h.id for h in current_heads])
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
