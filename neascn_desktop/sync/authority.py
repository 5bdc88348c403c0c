"""Authority: what the signer of a package may change (trusted is not all-powerful).

Trust says who a sender is; this module says what it may do, in the spirit of
CouchDB's ``validate_doc_update`` (every replicated write passes one function
that knows the author's roles) and ODK Central's roles (a data collector submits,
never edits a form).  The importer (apply and preview), the conflict view and the
exporter all ask it; docs/package-format.md, "Authority", states the rules:

- the role is the one *this* device trusted the sender as (or its own role for its
  own packages, "secretariat" for a first deployment trusted on first use), never
  the role a manifest claims;
- each new revision (one the receiver has neither stored nor waiting) has a payload
  of its entity type's shape (``record_schema``), a submission's answers fit its
  survey definition;
- its author is the signer, except revisions a secretariat relays (checked against
  the rules of their author as trusted here, or of the secretariat when the author
  is unknown here);
- field devices change their own submissions and cities they created, task-force
  members framework sections and comments (only "resolved" of another's comment),
  the secretariat definitions, cities, submissions and merges of anything; where it only
  merges, it may also take a merge back (an undo of its resolution, or of an import that
  brought one): a revision on top of a merge that restores a version the record had
  before (the payload of one of its ancestors), never new content;
- a withdrawal (``replica.withdrawal``) is a change like any other, judged by the same
  rules: only who may change a record may withdraw what it holds, and the withdrawn marker
  must follow the revisions it withdraws (never a record's first revision);
- clocks: a package made more than ``CREATED_AHEAD`` ahead of this computer's clock,
  or a revision clock more than ``CLOCK_AHEAD`` ahead of its package, is refused
  (clamping would change the revision's id, which is the hash of its content).

A refusal is one sentence naming the record (entity type and id) and the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, select

from neascn_desktop.i18n import N_, _
from neascn_desktop.replica.clock import MAX_OBSERVED_DRIFT_MS, parse_clock
from neascn_desktop.replica.revision import Revision, canonical_json, is_withdrawn, make_revision
from neascn_desktop.replica.tables import current_table, pending_table, revision_table
from neascn_desktop.surveys.definition import SurveyDefinition
from neascn_desktop.sync import record_schema
from neascn_desktop.sync.container import Manifest
from neascn_desktop.sync.errors import PackageError
from neascn_desktop.sync.verify import FIRST_USE, OWN, TRUSTED, TrustBook

SECRETARIAT, FIELD, TASKFORCE = "secretariat", "field", "taskforce"
#: The author of the built-in revisions (``surveys.installed.BUILTIN_DEVICE_ID``).
BUILTIN = "builtin"

#: A package may be dated this far ahead of the receiver's clock (a laptop clock set a time
#: zone or a day wrong is still believed); further ahead, it is refused.
CREATED_AHEAD = timedelta(hours=24)
#: A revision clock may be this far ahead of its package's creation time.  A device's clock
#: never runs more than MAX_OBSERVED_DRIFT_MS ahead of its wall clock (``replica.clock``), and a
#: revision the secretariat relays may carry its author's drift on top of the hub's own.
CLOCK_AHEAD = timedelta(milliseconds=2 * MAX_OBSERVED_DRIFT_MS)

#: Per role, the entity types it may change, and how: "any" (any record of the type),
#: "own" (records whose first revision it made), "merge" (only merge revisions, i.e.
#: resolving a conflict), "resolve" (its own, and only the "resolved" flag of others').
RULES: dict[str, dict[str, str]] = {
    FIELD: {"submission": "own", "city": "own"},
    TASKFORCE: {"framework_section": "any", "framework_comment": "resolve"},
    SECRETARIAT: {"survey_definition": "any", "city": "any", "submission": "any",
                  "framework_section": "merge", "framework_comment": "merge"},
}
#: Fields of another device's comment a task-force member may change.
COMMENT_SHARED_FIELDS = frozenset({"resolved"})


def sends_responses(role: str) -> bool:
    """Does a device of ``role`` hand survey responses to the secretariat (field staff)?  The
    secretariat is where they go, and a task-force member's would be refused there."""
    return role != SECRETARIAT and "submission" in RULES.get(role, {})


class AuthorityError(PackageError):
    """A package (or a local resolution) asks for a change its author may not make."""


def _printable(text: str, limit: int) -> str:
    """Text from a package, shortened and with control characters replaced, fit for a sentence."""
    text = "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in text[:limit + 1])
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _record(rev_type: str, rev_id: str) -> dict[str, str]:
    return {"type": _printable(rev_type, 100), "id": _printable(rev_id, 100)}


def role_of(book: TrustBook, manifest: Manifest, trust: str | None) -> str | None:
    """The role this device gives the signer of ``manifest`` (``None``: not applicable)."""
    if trust == OWN:
        return book.profile.role if book.profile is not None else None
    if trust == FIRST_USE:
        return SECRETARIAT  # the role being trusted
    if trust == TRUSTED:
        known = book.devices.get(manifest.sender.device_id)
        if known is not None:
            return known.role  # revoked only for a one-off decision in the inbox: its role then
        # Applied once from the inbox without trusting the sender: the role its manifest claims,
        # which the inbox showed when someone decided (never more than that role may do).
        return manifest.sender.role
    return None


@lru_cache(maxsize=1)
def builtin_ids() -> frozenset[str]:
    """The built-in survey and city revisions of this app: the same on every machine, so
    every device may carry them (they are what every receiver installs itself)."""
    from neascn_desktop.surveys.installed import builtin_revisions

    return frozenset(r.id for r in builtin_revisions())


@lru_cache(maxsize=1)
def builtin_entity_ids() -> frozenset[str]:
    """The entities the built-in revisions create (their roots are the app's, ``BUILTIN``)."""
    from neascn_desktop.surveys.installed import builtin_revisions

    return frozenset(r.entity_id for r in builtin_revisions() if not r.parents)


def _as_time(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _chunks(items: Sequence[str], size: int = 900) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass
class _Known:
    """What the receiver holds, as far as the checks need it; grows as packages are accepted."""

    ids: set[str] = field(default_factory=set)
    roots: dict[str, set[str]] = field(default_factory=dict)  # entity id -> devices of its roots
    payloads: dict[str, dict[str, Any]] = field(default_factory=dict)  # revision id -> payload
    definitions: dict[str, SurveyDefinition | None] = field(default_factory=dict)
    looked_up: set[str] = field(default_factory=set)  # entity ids whose roots were read
    #: Per entity (read only for a merge taken back): revision id -> (parents, canonical payload).
    graphs: dict[str, dict[str, tuple[tuple[str, ...], str]]] = field(default_factory=dict)


class AnswerMemo:
    """Answer values found good, per definition and question, shared by the judges of one
    import (``record_schema.check_answers``' ``checked``): a value is checked once per import,
    not once per batch or package.  The definitions it is keyed by (``id()``) are kept alive
    here, so a key never comes to name another definition."""

    def __init__(self) -> None:
        self.checked: dict[int, dict[str, set[Any]]] = {}
        self._pinned: dict[int, SurveyDefinition] = {}

    def for_definition(self, definition: SurveyDefinition | None) -> dict[int, dict[str, set[Any]]]:
        if definition is not None and self._pinned.setdefault(id(definition), definition) is not definition:
            raise AssertionError("a pinned definition's id was reused")  # cannot happen: it is alive
        return self.checked


class Authority:
    """The judge of one transaction: the database as ``conn`` sees it plus the packages it
    accepted before (a batch of packages applied together is judged in order)."""

    def __init__(self, conn: Connection, book: TrustBook | None, *, now: datetime | None = None,
                 upcoming: Iterable[Sequence[Revision]] = (), memo: AnswerMemo | None = None) -> None:
        """``upcoming``: the revisions of the packages about to be judged, whose entities' roots
        are then read in a few statements instead of a few per package.  ``memo``: the answers
        already checked by the other judges of the same import."""
        self.conn = conn
        self.book = book
        self.now = now or datetime.now(UTC)
        self.known = _Known()
        self._memo = memo or AnswerMemo()
        wanted = [r for revisions in upcoming for r in revisions]
        if wanted:
            self._load(wanted)

    # --- the use ----------------------------------------------------------------------------

    def check_package(self, manifest: Manifest, trust: str | None, revisions: Sequence[Revision],
                      new: Sequence[Revision] | None = None) -> None:
        """Raise ``AuthorityError`` (one sentence) unless the signer may make every new revision.

        ``new``: the revisions of the package the receiver does not hold, when the caller knows
        them already (the importer's preview does); else they are looked up.
        """
        role = role_of(self.book, manifest, trust) if self.book is not None else None
        if role is None:
            return
        created = _as_time(manifest.created_at)
        if created > self.now + CREATED_AHEAD:
            raise AuthorityError.said(N_("The package is dated {time}, more than a day ahead of this computer's clock."),
                                      time=_printable(manifest.created_at, 40))
        new = self._new(revisions) if new is None else self._not_builtin(new)
        if not new:
            return
        self._load(new)
        for rev in new:  # its own new roots count: a second root on another's record is a change of it
            if not rev.parents:
                self.known.roots.setdefault(rev.entity_id, set()).add(rev.device_id)
        in_package = {r.id: r for r in revisions}
        limit_ms = int((created + CLOCK_AHEAD).timestamp() * 1000)
        signer = manifest.sender.device_id
        for rev in new:
            self._check_revision(rev, role, signer, limit_ms, in_package)
        self._accept(new)

    def check_released(self, rev: Revision, role: str, signer: str) -> None:
        """Raise ``AuthorityError`` unless ``signer`` (trusted here as ``role``), whose package
        brought ``rev`` earlier, may make it, judged now that its parents have arrived: on
        arrival its record may have been unknown here (no root), which every rule let wait."""
        self._load([rev])
        author = rev.device_id
        if author == signer:
            self._check_rule(rev, role, author, {})
            return
        if role != SECRETARIAT:  # refused on arrival already; kept for a changed trust book
            raise self._not_allowed(rev, role)
        author_role = self._role_of_device(author)
        if author_role is not None:
            self._check_rule(rev, author_role, author, {})
        elif rev.entity_type not in RULES[SECRETARIAT]:
            raise self._not_allowed(rev, role)

    # --- per revision -----------------------------------------------------------------------

    def _check_revision(self, rev: Revision, role: str, signer: str, limit_ms: int,
                        in_package: dict[str, Revision]) -> None:
        wall, _counter = parse_clock(rev.clock)
        if wall > limit_ms:
            raise AuthorityError.said(N_("Record {type} {id} has a clock far ahead of the time its package was made."),
                                      **_record(rev.entity_type, rev.entity_id))
        author = rev.device_id
        if author == signer:
            self._check_rule(rev, role, author, in_package)
            self._check_shape(rev, in_package)
            return
        if role != SECRETARIAT:
            raise AuthorityError.said(N_(
                "Record {type} {id} was made by another device ({author}); only the secretariat passes on "
                "records of other devices that this device does not have yet."),
                author=_printable(author, 100), **_record(rev.entity_type, rev.entity_id))
        # Relayed by the hub: judged by its author's rules when this device knows the author;
        # else any type the hub deals in (framework sections and comments too, which it passes
        # on though it only merges them itself).
        author_role = self._role_of_device(author)
        if author_role is not None:
            self._check_rule(rev, author_role, author, in_package)
        elif rev.entity_type not in RULES[SECRETARIAT]:
            raise self._not_allowed(rev, role)
        self._check_shape(rev, in_package)

    def _role_of_device(self, device_id: str) -> str | None:
        if self.book is None:
            return None
        profile = self.book.profile
        if profile is not None and device_id == profile.device_id:
            return profile.role
        known = self.book.devices.get(device_id)
        return known.role if known is not None and not known.revoked else None

    def _check_shape(self, rev: Revision, in_package: dict[str, Revision]) -> None:
        withdrawn = is_withdrawn(rev.payload)
        if withdrawn and not rev.parents:
            raise AuthorityError.said(N_("Record {type} {id} is marked withdrawn, but names no revision it withdraws."),
                                      **_record(rev.entity_type, rev.entity_id))
        try:
            definition = record_schema.check_payload(rev.entity_type, rev.entity_id, rev.payload)
            if definition is not None:
                self.known.definitions[rev.entity_id] = definition
            if rev.entity_type == "submission" and not withdrawn:
                ref = record_schema.submission_definition(rev.payload)
                definition = self._definition(ref, in_package)
                record_schema.check_answers(rev.payload["answers"], definition,
                                            self._memo.for_definition(definition))
        except record_schema.RecordError as exc:
            raise AuthorityError.said(N_("Record {type} {id}, field “{field}”: {reason}."),
                                      field=_printable(exc.field, 100), reason=_printable(str(exc), 300),
                                      **_record(rev.entity_type, rev.entity_id)) from None

    def _check_rule(self, rev: Revision, role: str, actor: str, in_package: dict[str, Revision]) -> None:
        rule = RULES.get(role, {}).get(rev.entity_type)
        if rule is None or (rule == "merge" and len(rev.parents) < 2
                            and not self._restores_before_merge(rev, in_package)):
            raise self._not_allowed(rev, role)
        if rule in ("own", "resolve"):
            roots = self.known.roots.get(rev.entity_id, set())
            # No root known: the revision's parents are not here and it will wait for them; each
            # of them is judged when it arrives.
            if roots and roots != {actor}:
                if rule == "resolve" and self._only_shared_fields_changed(rev, in_package):
                    return
                raise AuthorityError.said(N_(
                    "Record {type} {id} was created by another device; a device trusted as “{role}” "
                    "may change only records it created."), role=role, **_record(rev.entity_type, rev.entity_id))
        if not rev.parents and rev.entity_type in ("submission", "framework_comment"):
            claimed = rev.payload.get("device_id")
            if claimed is not None and claimed != actor:
                raise AuthorityError(_("Record {type} {id}, field “{field}”: {reason}.").format(
                    field="device_id", reason=_("it must name the device that made the record"),
                    **_record(rev.entity_type, rev.entity_id)))

    def _restores_before_merge(self, rev: Revision, in_package: dict[str, Revision]) -> bool:
        """Is ``rev`` a merge taken back (``replica.withdrawal`` on a merge): a child of a merge
        revision whose payload is that of one of its own ancestors, i.e. a version the record
        had, never new content?"""
        if not rev.parents or is_withdrawn(rev.payload):
            return False
        graph = self._graph(rev.entity_id, in_package)
        if not any(len(graph.get(p, ((), ""))[0]) >= 2 for p in rev.parents):
            return False
        wanted = canonical_json(rev.payload)
        seen: set[str] = set()
        stack = list(rev.parents)
        while stack:
            rev_id = stack.pop()
            if rev_id in seen or rev_id not in graph:
                continue
            seen.add(rev_id)
            parents, payload = graph[rev_id]
            if payload == wanted:
                return True
            stack.extend(parents)
        return False

    def _graph(self, entity_id: str, in_package: dict[str, Revision]) -> dict[str, tuple[tuple[str, ...], str]]:
        if entity_id not in self.known.graphs:
            self.known.graphs[entity_id] = {
                rev_id: (tuple(json.loads(parents)), canonical_json(json.loads(payload)))
                for rev_id, parents, payload in self.conn.execute(
                    select(revision_table.c.id, revision_table.c.parents, revision_table.c.payload)
                    .where(revision_table.c.entity_id == entity_id))}
        graph = self.known.graphs[entity_id]
        for other in in_package.values():
            if other.entity_id == entity_id and other.id not in graph:
                graph[other.id] = (tuple(other.parents), canonical_json(other.payload))
        return graph

    def _only_shared_fields_changed(self, rev: Revision, in_package: dict[str, Revision]) -> bool:
        for parent in rev.parents:
            before = in_package[parent].payload if parent in in_package else self.known.payloads.get(parent)
            if before is None:
                return False
            keys = (set(before) | set(rev.payload)) - COMMENT_SHARED_FIELDS
            if any(before.get(k) != rev.payload.get(k) for k in keys):
                return False
        return bool(rev.parents)

    @staticmethod
    def _not_allowed(rev: Revision, role: str) -> AuthorityError:
        return AuthorityError.said(
            N_("Record {type} {id}: a device trusted as “{role}” may not change this kind of record."),
            role=role, **_record(rev.entity_type, rev.entity_id))

    def _definition(self, entity_id: str, in_package: dict[str, Revision]) -> SurveyDefinition | None:
        if entity_id not in self.known.definitions:
            carried = [r for r in in_package.values()
                       if r.entity_type == "survey_definition" and r.entity_id == entity_id]
            payload: Any = max(carried, key=lambda r: r.sort_key).payload if carried else None
            if carried:
                self.known.definitions[entity_id] = _parse_definition(entity_id, payload)
            else:
                rev_id = self.conn.scalar(select(current_table.c.revision_id)
                                          .where(current_table.c.entity_id == entity_id))
                self.known.definitions[entity_id] = (
                    self._stored(entity_id, rev_id) if rev_id is not None else _builtin_definition(entity_id))
        return self.known.definitions[entity_id]

    def _stored(self, entity_id: str, rev_id: str) -> SurveyDefinition | None:
        """A stored definition, parsed once per process (its revision id names its content)."""
        if rev_id not in _STORED_DEFINITIONS:
            text = self.conn.scalar(select(revision_table.c.payload).where(revision_table.c.id == rev_id))
            if len(_STORED_DEFINITIONS) >= 32:
                _STORED_DEFINITIONS.clear()
            _STORED_DEFINITIONS[rev_id] = _parse_definition(entity_id, json.loads(text or "null"))
        return _STORED_DEFINITIONS[rev_id]

    # --- what the receiver holds ------------------------------------------------------------

    def _new(self, revisions: Sequence[Revision]) -> list[Revision]:
        ids = [r.id for r in revisions if r.id not in self.known.ids]
        present: set[str] = set(self.known.ids)
        for chunk in _chunks(ids):
            present.update(self.conn.scalars(select(revision_table.c.id).where(revision_table.c.id.in_(chunk))))
            present.update(self.conn.scalars(select(pending_table.c.id).where(pending_table.c.id.in_(chunk))))
        return self._not_builtin([r for r in revisions if r.id not in present])

    @staticmethod
    def _not_builtin(revisions: Sequence[Revision]) -> list[Revision]:
        if not any(r.device_id == BUILTIN for r in revisions):
            return list(revisions)
        builtin = builtin_ids()
        return [r for r in revisions if r.id not in builtin]

    def _load(self, new: Sequence[Revision]) -> None:
        """Roots of the entities the new revisions touch, and payloads of their parents."""
        wanted = sorted({r.entity_id for r in new} - self.known.looked_up)
        for table in (revision_table, pending_table):
            for chunk in _chunks(wanted):
                for entity_id, device_id in self.conn.execute(
                        select(table.c.entity_id, table.c.device_id)
                        .where(table.c.entity_id.in_(chunk), table.c.parents == "[]")):
                    self.known.roots.setdefault(entity_id, set()).add(device_id)
        # The built-in survey and cities have their roots on every machine, installed or not yet
        # (installed lazily): never "no root known" for them, or an edit of a built-in city would
        # pass as waiting for its parent and be released when the built-ins are installed.
        for entity_id in builtin_entity_ids().intersection(wanted):
            self.known.roots.setdefault(entity_id, set()).add(BUILTIN)
        self.known.looked_up.update(wanted)
        parents = sorted({p for r in new if r.entity_type == "framework_comment" for p in r.parents}
                         - set(self.known.payloads))
        for chunk in _chunks(parents):
            for rev_id, text in self.conn.execute(select(revision_table.c.id, revision_table.c.payload)
                                                  .where(revision_table.c.id.in_(chunk))):
                self.known.payloads[rev_id] = json.loads(text)

    def _accept(self, new: Sequence[Revision]) -> None:
        for rev in new:
            self.known.ids.add(rev.id)
            if rev.entity_type == "framework_comment":
                self.known.payloads[rev.id] = rev.payload
            graph = self.known.graphs.get(rev.entity_id)
            if graph is not None:
                graph.setdefault(rev.id, (tuple(rev.parents), canonical_json(rev.payload)))


def _parse_definition(entity_id: str, payload: Any) -> SurveyDefinition | None:
    try:
        return record_schema.check_payload("survey_definition", entity_id, payload)
    except record_schema.RecordError:
        return None  # a broken definition: its submissions' answers are checked generically


@lru_cache(maxsize=8)
def _builtin_definition(entity_id: str) -> SurveyDefinition | None:
    """A built-in survey not installed here yet (built-ins are installed lazily): every machine
    has it, so a response to it is checked against it, not only generically."""
    from neascn_desktop.surveys.installed import builtin_revisions

    found = [r for r in builtin_revisions() if r.entity_type == "survey_definition" and r.entity_id == entity_id]
    return _parse_definition(entity_id, found[0].payload) if found else None


#: Stored definitions already parsed, by revision id (content-addressed, so never stale).
_STORED_DEFINITIONS: dict[str, SurveyDefinition | None] = {}


# --- the conflict view's question --------------------------------------------------------------

def check_resolution(conn: Connection, role: str, device_id: str, heads: Sequence[Revision],
                     payload: dict[str, Any]) -> None:
    """May this device (``role``) resolve the conflict between ``heads`` with ``payload``?  Raises
    ``AuthorityError``: a resolution is a revision like any other, and every receiver would
    refuse one this device may not make (or a malformed edited version)."""
    first = heads[0]
    merge = make_revision(first.entity_type, first.entity_id, [h.id for h in heads], device_id,
                          max(h.clock for h in heads), payload)
    judge = Authority(conn, None)
    judge._load([merge])
    judge._check_shape(merge, {h.id: h for h in heads})
    judge._check_rule(merge, role, device_id, {h.id: h for h in heads})


# --- the undo's question ------------------------------------------------------------------------

def check_own_revisions(conn: Connection, role: str, device_id: str, revisions: Sequence[Revision]) -> None:
    """May this device (``role``) make these revisions (an undo's withdrawals)?  Raises
    ``AuthorityError``: every receiver would refuse a revision this device may not make, so
    it is not made here either."""
    judge = Authority(conn, None)
    judge._load(revisions)
    for rev in revisions:
        judge._check_shape(rev, {})
        judge._check_rule(rev, role, device_id, {})


# --- the exporter's question --------------------------------------------------------------------

def sendable(conn: Connection, role: str, device_id: str, revisions: Sequence[Revision]) -> list[Revision]:
    """The revisions a device of ``role`` may put in a package: the secretariat relays
    everything; any other device only revisions it made within its role, and the built-in
    ones (a receiver refuses a package with anything else it does not have yet)."""
    if role == SECRETARIAT:
        return list(revisions)
    builtin = builtin_ids()
    judge = Authority(conn, None)
    judge._load([r for r in revisions if r.device_id == device_id and r.id not in builtin])
    kept: list[Revision] = []
    for rev in revisions:
        if rev.id in builtin:
            kept.append(rev)
            continue
        if rev.device_id != device_id:
            continue
        try:
            judge._check_rule(rev, role, device_id, {})
        except AuthorityError:
            continue
        kept.append(rev)
    return kept
