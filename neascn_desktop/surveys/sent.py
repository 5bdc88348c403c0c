"""What went out and what came back: the "sent" and "received" statuses of submissions.

``survey_submission_sent`` (``surveys.tables``) records which revision of a
submission left in an exported package, and when the secretariat acknowledged
holding it. The exporter and the receipts of ``sync`` write it; the city list
reads it. Rows are written and read column by column, so this is Core.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.orm import Session

from neascn_desktop.store.database import Database
from neascn_desktop.surveys.tables import submission_sent_table as sent_table

# Stay well below every engine's limit on bound parameters per statement.
_CHUNK = 500


def sent_revisions(executor: Session | Connection,
                   submission_ids: Iterable[str] | None = None) -> dict[tuple[str, str], bool]:
    """(submission id, revision id) that went out -> whether the secretariat acknowledged it."""
    query = select(sent_table.c.submission_id, sent_table.c.revision_id, sent_table.c.received_at)
    if submission_ids is not None:
        query = query.where(sent_table.c.submission_id.in_(list(submission_ids)))
    return {(row[0], row[1]): row[2] is not None for row in executor.execute(query)}


def mark_sent(target: Database | Session, sent: Iterable[tuple[str, str]],
              package_id: str | None = None) -> None:
    """Record that these (submission id, revision id) went out in a package (sync calls this)."""
    pairs = list(dict.fromkeys(sent))
    if isinstance(target, Database):
        with target.transaction() as session:
            mark_sent(session, pairs, package_id)
        return
    known = sent_revisions(target, [s for s, _r in pairs])
    stamp = datetime.now(UTC)
    new = [{"submission_id": s, "revision_id": r, "package_id": package_id, "sent_at": stamp,
            "received_at": None}
           for s, r in pairs if (s, r) not in known]
    if new:
        target.execute(insert(sent_table), new)


def mark_received(conn: Connection, received: Iterable[tuple[str, str]], at: datetime) -> None:
    """Record that the secretariat acknowledged holding these (submission id, revision id)
    (``sync.receipts`` calls this inside the import transaction; Core, like the import path).
    A revision that reached it without being marked sent here counts as sent, too."""
    pairs = list(dict.fromkeys(received))
    known: dict[tuple[str, str], bool] = {}
    for start in range(0, len(pairs), _CHUNK):
        known.update(sent_revisions(conn, [s for s, _r in pairs[start:start + _CHUNK]]))
    new = [{"submission_id": s, "revision_id": r, "package_id": None, "sent_at": at, "received_at": at}
           for s, r in pairs if (s, r) not in known]
    if new:
        conn.execute(insert(sent_table), new)
    for submission_id, revision_id in pairs:
        if known.get((submission_id, revision_id)) is False:
            conn.execute(update(sent_table).where(sent_table.c.submission_id == submission_id,
                                                  sent_table.c.revision_id == revision_id)
                         .values(received_at=at))
