"""What a use case changed: the small record every writing operation returns.

The GUI publishes it on one signal (``dataChanged``) and each workspace decides
whether it concerns it, so no view polls and none is forgotten.  Qt-free, so
the rooms (``surveys``, ``framework``, ``sync`` ...) can return it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: Revision-log entity type -> the change name views listen for (the one list; an entity type
#: not listed is its own name).
CHANGE_NAMES: dict[str, str] = {
    "survey_definition": "survey",
    "city": "city",
    "submission": "response",
    "framework_section": "section",
    "framework_comment": "comment",
}


def change_name(entity_type: str) -> str:
    return CHANGE_NAMES.get(entity_type, entity_type)


@dataclass(frozen=True)
class Changes:
    """Entity types and ids a use case wrote; ``everything`` means "assume all changed".

    Entity types are short lower-case nouns, the change names (``"survey"``,
    ``"response"``, ``"section"``, ``"comment"``, ``"package"``,
    ``"trusted_device"``, ``"profile"`` ...); a revision-log entity type is named
    through :data:`CHANGE_NAMES`.  ``everything`` is set when the change is
    unknown in detail, e.g. when another process (the CLI) committed.
    """

    entity_types: frozenset[str] = frozenset()
    entity_ids: frozenset[str] = frozenset()
    everything: bool = False

    @classmethod
    def of(cls, entity_type: str, ids: Iterable[str] = ()) -> Changes:
        """Changes to one entity type (and optionally some of its ids)."""
        return cls(frozenset({entity_type}), frozenset(ids))

    @classmethod
    def of_entities(cls, entity_types: Iterable[str], ids: Iterable[str] = (), *names: str) -> Changes:
        """Changes to records of these revision-log entity types (plus other change ``names``)."""
        return cls(frozenset({change_name(t) for t in entity_types} | set(names)), frozenset(ids))

    @classmethod
    def all(cls) -> Changes:
        return cls(everything=True)

    def __bool__(self) -> bool:
        return self.everything or bool(self.entity_types) or bool(self.entity_ids)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.entity_types | other.entity_types,
            self.entity_ids | other.entity_ids,
            self.everything or other.everything,
        )

    def touches(self, *entity_types: str) -> bool:
        """True if any of ``entity_types`` changed (always true for ``everything``)."""
        return self.everything or not self.entity_types.isdisjoint(entity_types)

    def touches_id(self, entity_id: str) -> bool:
        """True if this entity id may have changed."""
        return self.everything or entity_id in self.entity_ids


NO_CHANGES = Changes()
