"""The values the revision log's use cases return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from neascn_desktop.replica.revision import WITHDRAWN, WITHDRAWN_KEY, Revision, is_withdrawn
from neascn_desktop.store.database import Database

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    #: What the use cases work on (see the module's docstring).
    Target = Database | Session | Connection
    #: What runs statements: an ORM session or a Core connection.
    Executor = Session | Connection

# Stay well below every engine's limit on bound parameters per statement.
_IN_CHUNK = 500


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class AddResult:
    """What ``add_revisions`` did.

    ``added + skipped + pending == number of revisions given``. ``released``
    counts revisions that were waiting from earlier and could be applied now.
    ``entity_ids`` / ``entity_types`` name every entity whose state changed
    (for change notification).
    """

    added: int
    skipped: int
    pending: int
    released: int
    entity_ids: frozenset[str]
    entity_types: frozenset[str]
    added_ids: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.entity_ids)


@dataclass(frozen=True)
class CurrentState:
    """The displayed state of one entity: its single head, or the winner among several."""

    entity_id: str
    entity_type: str
    revision_id: str
    payload: dict[str, Any]
    clock: str
    device_id: str
    heads: int

    @property
    def in_conflict(self) -> bool:
        return self.heads > 1


@dataclass(frozen=True)
class Conflict:
    """An entity with several heads; ``heads`` is sorted winner first."""

    entity_id: str
    entity_type: str
    winner_id: str
    heads: tuple[Revision, ...]


__all__ = ["WITHDRAWN", "WITHDRAWN_KEY", "AddResult", "Conflict", "CurrentState", "is_withdrawn"]
