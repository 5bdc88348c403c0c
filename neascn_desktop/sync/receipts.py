"""Acknowledgements: "sent" is not "received".

A field device that exports a package does not know whether it ever arrived (a
lost USB stick, a forgotten e-mail).  So the secretariat's deployment (and
``all``) packages carry an *acknowledgement*, the optional manifest field
``acknowledgements``: per device id, the revisions of that device it holds.
A device that applies one from its trusted secretariat records which of its
own revisions are received; its next export to the secretariat carries every
own revision that is not (``docs/package-format.md`` §12).

The acknowledgement lists, per device, only the *heads* of that device's
revisions at the secretariat: the revisions of the device that no other
revision of the same device names as a parent.  The revision log holds a
revision only once all its parents are there (an orphan waits in
``replica_pending`` and is not acknowledged), so holding a revision means
holding all its ancestors, and the receiver marks those too.  That keeps the
acknowledgement at about one id per device and response: 10,000 packages
from 500 devices that answered 20 cities each come to 10,000 ids, about
750 kB of manifest, within the 8 MiB manifest limit.

An acknowledgement is untrusted input like the rest of a package: its shape
and size are checked when the package is read (a malformed one refuses the
package), and it is used only when the receiver trusts the signer *as a
secretariat* (the role of the receiver's trust list, never the role the
manifest claims), and only for the receiver's own revisions.  A revision that
is not acknowledged is merely sent again, which a set-union import makes
harmless; so a writer may leave ids out (it does so past the limit), and a
receiver never un-marks what an earlier acknowledgement confirmed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from neascn_desktop.i18n import N_plural
from neascn_desktop.identity.tables import profile_table, trusted_device_table
from neascn_desktop.replica.tables import revision_table
from neascn_desktop.sync import audit
from neascn_desktop.sync.acknowledgement import FIELD, KINDS, MAX_REVISIONS, parse
from neascn_desktop.sync.container import Manifest
from neascn_desktop.sync.errors import PackageDamagedError
from neascn_desktop.sync.tables import acknowledged_revision_table

#: The device id of the built-in survey and cities, which every installation has.
_BUILTIN_DEVICE = "builtin"
_IN_CHUNK = 500


@dataclass(frozen=True)
class Receipt:
    """What an applied acknowledgement changed here: own revisions newly marked received."""

    revisions: int = 0
    submissions: tuple[tuple[str, str], ...] = ()  # (submission id, revision id)

    @property
    def change_nouns(self) -> set[str]:
        """What a view listens for: responses whose status became "received"."""
        return {"response"} if self.submissions else set()

    @property
    def notes(self) -> list[str]:
        """What the import report says about it, as audit events (``audit.say`` reads them;
        nothing when no response changed state)."""
        if not self.submissions:
            return []
        count = len({submission_id for submission_id, _rev in self.submissions})
        return [audit.plural_event(N_plural("The secretariat confirmed that it received {count} response.",
                                            "The secretariat confirmed that it received {count} responses."),
                                   count, count=count)]


# --- writing (the secretariat) ------------------------------------------------------------------

def build(conn: Connection, own_device_id: str, limit: int = MAX_REVISIONS) -> dict[str, list[str]]:
    """The acknowledgement a package of this device carries: per other device, the heads of
    that device's revisions held here.  Past ``limit`` ids the newest (by clock) are kept;
    what is left out is simply sent again."""
    r = revision_table
    rows = conn.execute(select(r.c.id, r.c.device_id, r.c.parents, r.c.clock).where(
        r.c.device_id != own_device_id, r.c.device_id != _BUILTIN_DEVICE))
    clocks: dict[str, dict[str, str]] = {}  # device id -> revision id -> clock
    parents_of: dict[str, list[str]] = {}  # device id -> parent ids named by its revisions
    for rev_id, device_id, parents, clock in rows:
        clocks.setdefault(device_id, {})[rev_id] = clock
        named = json.loads(parents)
        if named:
            parents_of.setdefault(device_id, []).extend(named)
    heads: list[tuple[str, str, str]] = []  # (clock, device id, revision id)
    for device_id, revisions in clocks.items():
        named_by_device = set(parents_of.get(device_id, ()))
        heads.extend((clock, device_id, rev_id) for rev_id, clock in revisions.items()
                     if rev_id not in named_by_device)
    if len(heads) > limit:
        heads = sorted(heads, reverse=True)[:limit]
    result: dict[str, list[str]] = {}
    for _clock, device_id, rev_id in heads:
        result.setdefault(device_id, []).append(rev_id)
    return {device: sorted(result[device]) for device in sorted(result)}


def manifest_fields(conn: Connection, kind: str, own_device_id: str, role: str) -> dict[str, Any]:
    """The optional manifest fields of an export: the acknowledgement, for a secretariat's
    deployment or ``all`` package; nothing otherwise."""
    if kind not in KINDS or role != "secretariat":
        return {}
    return {FIELD: build(conn, own_device_id)}


def _trusted_as_secretariat(conn: Connection, manifest: Manifest) -> bool:
    t = trusted_device_table
    sender = manifest.sender
    role = conn.scalar(select(t.c.role).where(
        t.c.device_id == sender.device_id, t.c.signing_public_key == sender.signing_public_key,
        t.c.revoked_at.is_(None)))
    return role == "secretariat"


def accept(conn: Connection, manifest: Manifest, file_name: str) -> Receipt:
    """Record, inside the importer's transaction, which of this device's own revisions the
    applied package acknowledges; nothing unless its signer is trusted here as a secretariat."""
    if manifest.kind not in KINDS:
        return Receipt()
    try:
        acknowledged = parse(manifest, file_name)
    except PackageDamagedError:
        return Receipt()  # refused when the package was read; never applied half-checked
    own: str | None = conn.scalar(select(profile_table.c.device_id))
    heads = acknowledged.get(own) if own else None
    if own is None or not heads or not _trusted_as_secretariat(conn, manifest):
        return Receipt()
    marked = _closure(conn, own, heads, manifest.sender.device_id)
    if not marked:
        return Receipt()
    now = datetime.now(UTC)
    # One row per revision: the secretariat that acknowledged it last (after a change of
    # secretariat, the exporter counts only what the current one acknowledged).
    for start in range(0, len(marked), _IN_CHUNK):
        conn.execute(delete(acknowledged_revision_table).where(
            acknowledged_revision_table.c.revision_id.in_(sorted(marked)[start:start + _IN_CHUNK])))
    rows = [{"revision_id": rev_id, "acknowledged_by": manifest.sender.device_id,
             "package_id": manifest.package_id, "acknowledged_at": now} for rev_id in sorted(marked)]
    for start in range(0, len(rows), 5000):
        conn.execute(insert(acknowledged_revision_table), rows[start:start + 5000])
    submissions = tuple(sorted((entity_id, rev_id) for rev_id, (entity_type, entity_id) in marked.items()
                               if entity_type == "submission"))
    if submissions:
        # Only when there is something to mark: the import path otherwise runs without the ORM.
        from neascn_desktop.surveys.service import mark_received

        mark_received(conn, submissions, now)
    return Receipt(len(marked), submissions)


def _closure(conn: Connection, own: str, heads: Iterable[str], by: str) -> dict[str, tuple[str, str]]:
    """The own revisions that ``heads`` and their ancestors name and that ``by`` has not marked yet:
    revision id -> (entity type, entity id).  An acknowledged revision's ancestors are held
    too, and an already marked one has its ancestors marked, so the walk stops there."""
    r, a = revision_table, acknowledged_revision_table
    found: dict[str, tuple[str, str]] = {}
    seen: set[str] = set()
    frontier = list(dict.fromkeys(heads))
    while frontier:
        seen.update(frontier)
        batch: list[str] = []
        for start in range(0, len(frontier), _IN_CHUNK):
            chunk = frontier[start:start + _IN_CHUNK]
            marked = set(conn.scalars(select(a.c.revision_id).where(a.c.revision_id.in_(chunk),
                                                                    a.c.acknowledged_by == by)))
            for rev_id, device_id, entity_type, entity_id, parents in conn.execute(
                    select(r.c.id, r.c.device_id, r.c.entity_type, r.c.entity_id, r.c.parents)
                    .where(r.c.id.in_(chunk))):
                if rev_id in marked:
                    continue
                if device_id == own:
                    found[rev_id] = (entity_type, entity_id)
                batch.extend(p for p in json.loads(parents) if p not in seen)
        frontier = list(dict.fromkeys(batch))
    return found


def acknowledged_ids(conn: Connection, by: str | None = None) -> set[str]:
    """Every own revision a secretariat (``by``: that one) acknowledged; the exporter leaves out
    what the recipient itself acknowledged — a secretariat that replaced another one
    (``--replace-secretariat``) has received nothing of what the other acknowledged."""
    a = acknowledged_revision_table
    query = select(a.c.revision_id)
    if by is not None:
        query = query.where(a.c.acknowledged_by == by)
    return set(conn.scalars(query))


def expects_acknowledgement(conn: Connection, device_id: str) -> bool:
    """Whether exports to this device are re-sent until acknowledged: it is a trusted secretariat."""
    t = trusted_device_table
    return conn.scalar(select(t.c.role).where(t.c.device_id == device_id, t.c.revoked_at.is_(None))) \
        == "secretariat"

