"""Judging a revision released from waiting, by the sender of the package that brought it.

A revision whose parents have not arrived waits in ``replica_pending``.  It was judged on
arrival (``authority``), but then its record may have been unknown here (no root yet), which
every rule lets wait.  When a later package brings its parents, the revision log asks this
module (a plain callback, ``replica.add_revisions(may_release=...)``) before releasing it:
the revision is judged again, with what is known now, by the role of the device whose package
carried it (its provenance), as trusted here.  A refused one is dropped from the waiting table
and noted in the audit log in one sentence naming the record; the package that brought the
parents is innocent and still applies.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from neascn_desktop.i18n import N_
from neascn_desktop.replica import Revision
from neascn_desktop.sync import audit, authority
from neascn_desktop.sync.import_results import REFUSED
from neascn_desktop.sync.tables import inbox_table, package_table
from neascn_desktop.sync.verify import TrustBook


class ReleaseJudge:
    """``may_release`` for one import transaction; ``audit_rows`` collects the drops."""

    def __init__(self, conn: Connection, book: TrustBook, judge: authority.Authority, now: datetime) -> None:
        self.conn = conn
        self.book = book
        self.judge = judge
        self.now = now
        self.audit_rows: list[dict[str, Any]] = []
        # package id -> (its stored row, its sender's role): a package's waiting revisions are
        # often released together.
        self._carriers: dict[str, tuple[dict[str, Any], str] | None] = {}

    def __call__(self, rev: Revision) -> bool:
        found = self._carrier_and_role(rev.provenance)
        carrier = found[0] if found is not None else None
        if found is None:
            # Not brought by a package (a local or demo addition): judged as its author's.
            author_role = self.judge._role_of_device(rev.device_id)
            if author_role is None:
                return True
            signer, role = rev.device_id, author_role
        else:
            signer, role = found[0]["sender_device_id"], found[1]
        try:
            self.judge.check_released(rev, role, signer)
        except authority.AuthorityError as exc:
            self.audit_rows.append(self._audit_row(rev, carrier, exc))
            return False
        return True

    def _carrier_and_role(self, package_id: str | None) -> tuple[dict[str, Any], str] | None:
        if package_id is None:
            return None
        if package_id not in self._carriers:
            carrier = self._carrier(package_id)
            self._carriers[package_id] = (carrier, self._role(carrier)) if carrier is not None else None
        return self._carriers[package_id]

    def _carrier(self, package_id: str | None) -> dict[str, Any] | None:
        """The stored package row of the package that brought the revision (the earliest, if
        two signers used one package id)."""
        if package_id is None:
            return None
        row = self.conn.execute(select(package_table).where(package_table.c.package_id == package_id)
                                .order_by(package_table.c.imported_at).limit(1)).mappings().first()
        return dict(row) if row is not None else None

    def _role(self, carrier: dict[str, Any]) -> str:
        """The role the carrier's sender has here: like ``authority.role_of`` for the package
        when it was applied (its own role, its trusted role even if revoked since, or the role
        the inbox showed when it was applied once without trusting the sender)."""
        device_id = carrier["sender_device_id"]
        profile = self.book.profile
        if profile is not None and device_id == profile.device_id:
            return profile.role
        known = self.book.devices.get(device_id)
        if known is not None:
            return known.role
        claimed = self.conn.scalar(select(inbox_table.c.sender_role).where(
            inbox_table.c.package_id == carrier["package_id"],
            inbox_table.c.sender_fingerprint == carrier["sender_fingerprint"]))
        return str(claimed) if claimed is not None else authority.FIELD  # the least a sender may do

    def _audit_row(self, rev: Revision, carrier: dict[str, Any] | None,
                   reason: authority.AuthorityError) -> dict[str, Any]:
        message = audit.of_error(authority.AuthorityError.said(
            N_("A change that waited for its earlier versions was dropped: {reason}"), reason=reason))
        return {"at": self.now, "action": "import", "verdict": REFUSED,
                "package_id": carrier["package_id"] if carrier else rev.provenance,
                "kind": carrier["kind"] if carrier else None, "file_name": None,
                "sender_device_id": carrier["sender_device_id"] if carrier else rev.device_id,
                "sender_name": carrier["sender_name"] if carrier else None,
                "sender_fingerprint": carrier["sender_fingerprint"] if carrier else None,
                "counts": json.dumps({"dropped": 1, "entity_type": rev.entity_type,
                                      "entity_id": rev.entity_id, "revision": rev.id}, sort_keys=True),
                "message": message}


def unrooted(judge: authority.Authority, new: list[Revision]) -> list[Revision]:
    """The revisions of a package just judged that passed because their record had no root known
    (their parents are not here yet); ``recheck`` judges them again once the batch is judged."""
    roots = judge.known.roots
    return [rev for rev in new if rev.parents and not roots.get(rev.entity_id)]


def recheck(judge: authority.Authority, deferred: list[tuple[Revision, str, str]]) -> None:
    """Raise ``AuthorityError`` if a revision that passed for want of a root (``unrooted``) is
    refused now that a later package of the same batch brought its record.  The batch is then
    applied package by package, so the revision waits and is judged when it is released, exactly
    as if the packages had been imported one after the other."""
    for rev, role, signer in deferred:
        if judge.known.roots.get(rev.entity_id):
            judge.check_released(rev, role, signer)
