"""Demo data in a real profile: loaded on request, marked, audited, removed in one step.

``load_into_profile`` runs the rooms' demo use cases (``surveys.demo``, which
adds the framework draft by role), marks every record they added as demo
(``demo.marks``) and writes an audit row; ``remove_from_profile`` forgets
those records and their drafts on this device and audits that too.  Records
that existed before are never marked, so removing the demo leaves them as
they were.  Both front ends (Help menu, ``neascn demo``) call these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, select

from neascn_desktop.changes import Changes
from neascn_desktop.demo.marks import demo_entities, write_demo_entities
from neascn_desktop.framework.model import COMMENT_TYPE, SECTION_TYPE
from neascn_desktop.framework.tables import section_working_copy_table
from neascn_desktop.identity.profile import Profile
from neascn_desktop.replica.purge import purge_entities
from neascn_desktop.replica.tables import pending_table, revision_table
from neascn_desktop.store.database import Database
from neascn_desktop.surveys.demo import DemoReport
from neascn_desktop.surveys.service import SUBMISSION
from neascn_desktop.surveys.tables import submission_sent_table, submission_working_copy_table
from neascn_desktop.sync import audit

#: The entity types the demo adds (definitions and cities it uses are real, built-in ones).
DEMO_TYPES = (SUBMISSION, SECTION_TYPE, COMMENT_TYPE)


@dataclass(frozen=True)
class DemoLoaded:
    report: DemoReport
    records: int
    marked: bool
    changes: Changes

    def to_dict(self) -> dict[str, Any]:
        return {**self.report.to_dict(), "records": self.records, "marked": self.marked}


@dataclass(frozen=True)
class DemoRemoved:
    records: int
    revisions: int
    changes: Changes

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records, "revisions": self.revisions}


def _entities(conn: Connection) -> dict[str, str]:
    found: dict[str, str] = {}
    for table in (revision_table, pending_table):
        rows = conn.execute(select(table.c.entity_id, table.c.entity_type).distinct()
                            .where(table.c.entity_type.in_(DEMO_TYPES)))
        found.update({row.entity_id: row.entity_type for row in rows})
    for row in conn.execute(select(submission_working_copy_table.c.submission_id)):
        found.setdefault(row.submission_id, SUBMISSION)
    for row in conn.execute(select(section_working_copy_table.c.section_id)):
        found.setdefault(row.section_id, SECTION_TYPE)
    return found


def load_into_profile(db: Database, profile: Profile, *, cities: int = 6, seed: int = 1,
                      mark: bool = True) -> DemoLoaded:
    """Add demo data to this profile, marked as demo (unless ``mark`` is false), with an audit row.

    ``mark=False`` is for training and test profiles whose demo records should
    travel and be reported like real ones.
    """
    from neascn_desktop.surveys.demo import load_demo_report

    with db.connect() as conn:
        before = _entities(conn)
    report = load_demo_report(db, profile, cities=cities, seed=seed)
    with db.writing() as conn:
        added = {entity_id: kind for entity_id, kind in _entities(conn).items() if entity_id not in before}
        if mark:
            write_demo_entities(conn, {**demo_entities(conn), **added})
        audit.record(conn, action="demo", verdict="demo_loaded",
                     counts={"responses": report.created, "finalized": report.finalized,
                             "records": len(added), "marked": mark})
    return DemoLoaded(report, len(added), mark, report.changes | Changes.of("demo"))


def remove_from_profile(db: Database) -> DemoRemoved:
    """Forget every demo record on this device (and its unsaved drafts); audited."""
    with db.writing() as conn:
        marked = demo_entities(conn)
        if not marked:
            return DemoRemoved(0, 0, Changes())
        ids = sorted(marked)
        revisions = purge_entities(conn, ((kind, entity_id) for entity_id, kind in marked.items()))
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            conn.execute(delete(submission_working_copy_table)
                         .where(submission_working_copy_table.c.submission_id.in_(chunk)))
            conn.execute(delete(submission_sent_table).where(submission_sent_table.c.submission_id.in_(chunk)))
            conn.execute(delete(section_working_copy_table)
                         .where(section_working_copy_table.c.section_id.in_(chunk)))
        write_demo_entities(conn, {})
        audit.record(conn, action="demo", verdict="demo_removed",
                     counts={"records": len(marked), "revisions": revisions})
    changes = Changes.of_entities(set(marked.values()), ids, "demo", "revision", "conflict")
    return DemoRemoved(len(marked), revisions, changes)
