"""Use cases of the framework document, shared by the GUI and the CLI.

This module holds the outline, the sections and their working copies; comments
(``framework.comments``), history (``framework.history``) and conflicts
(``framework.conflicts``) live beside it.

Sections (``framework_section``) and comments (``framework_comment``) are
entities in the revision log; every writing use case commits revisions and
returns the :class:`~neascn_desktop.changes.Changes` it made. While a drafter
types, the body lives in a local working copy (``save_working_copy``, called
on every change); ``cut_revision`` turns it into a revision at meaningful
points (leaving a section, Ctrl+S, before an export).

Concurrent edits of one section become several heads in the log. A merge
proposal folds them against their common ancestor: fields by field, the body
by paragraph (``framework.textmerge``); the drafter accepts, edits or keeps
one version, which commits a merge revision with every head as parent.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from neascn_desktop import replica
from neascn_desktop.changes import Changes
from neascn_desktop.framework.comments import add_comment, list_comments, resolve_comment
from neascn_desktop.framework.history import (
    author_of,
    clock_time,
    device_names,
    diff_payloads,
    diff_revisions,
    history,
)
from neascn_desktop.framework.model import (
    SECTION_TYPE,
    FrameworkError,
    Section,
)
from neascn_desktop.framework.ordering import key_between, keys_for
from neascn_desktop.framework.records import (
    META_FIELDS,
    check_status,
    comment_changes,
    distinct_payloads,
    section_changes,
    section_state,
)
from neascn_desktop.framework.skeleton import load_skeleton, pick
from neascn_desktop.framework.tables import section_working_copy_table as working_copies
from neascn_desktop.framework.textmerge import same_text
from neascn_desktop.i18n import LANGUAGES, _, normalize_language
from neascn_desktop.identity.profile import Profile
from neascn_desktop.replica.revision import make_revision
from neascn_desktop.store.database import Database

# --------------------------------------------------------------------------- reading


def _payload_section(
    state: replica.CurrentState,
    working_body: str | None,
    in_conflict: bool,
) -> Section:
    p = state.payload
    return Section(
        id=state.entity_id,
        parent_id=p.get("parent_id"),
        position=str(p.get("position", "")),
        title=str(p.get("title", "")),
        body=working_body if working_body is not None else str(p.get("body", "")),
        status=str(p.get("status", "draft")),
        owner=str(p.get("owner", "")),
        language=str(p.get("language", "en")),
        deleted=bool(p.get("deleted", False)),
        revision_id=state.revision_id,
        in_conflict=in_conflict,
        has_working_copy=working_body is not None,
    )


def _really_in_conflict(session: Session, state: replica.CurrentState) -> bool:
    if state.heads < 2:
        return False
    return len(distinct_payloads(replica.heads(session, state.entity_id))) > 1


def _outline(sections: list[Section], include_deleted: bool) -> list[Section]:
    """Sections in document order (pre-order), numbered, with their depth.

    A section whose parent is unknown is a top-level one; sections caught in a
    cycle (two concurrent moves) are shown at the top level rather than lost;
    the descendants of a deleted section are hidden with it.
    """
    by_id = {s.id: s for s in sections}
    children: dict[str | None, list[Section]] = defaultdict(list)
    for s in sections:
        parent = s.parent_id if s.parent_id in by_id and s.parent_id != s.id else None
        children[parent].append(s)
    for siblings in children.values():
        siblings.sort(key=lambda s: (s.position, s.id))

    out: list[Section] = []
    placed: set[str] = set()

    def walk(parent: str | None, prefix: str, depth: int, hidden: bool = False) -> None:
        number = 0
        for s in children.get(parent, []):
            if s.id in placed:
                continue
            placed.add(s.id)
            if hidden or (s.deleted and not include_deleted):
                walk(s.id, "", depth + 1, hidden=True)
                continue
            number += 1
            label = f"{prefix}{number}"
            out.append(_replace(s, number=label, depth=depth))
            walk(s.id, label + ".", depth + 1)

    walk(None, "", 0)
    stray = [s for s in sections if s.id not in placed]
    while stray:
        # Unreachable from the top: a cycle. Lift its first member to the top level.
        first = min(stray, key=lambda s: (s.position, s.id))
        children[None].append(first)
        children[first.parent_id] = [c for c in children[first.parent_id] if c.id != first.id]
        walk(None, "", 0)
        stray = [s for s in sections if s.id not in placed]
    return out


def _replace(section: Section, **changes: Any) -> Section:
    return replace(section, **changes)


def _working_bodies(session: Session) -> dict[str, str]:
    """The body of every section with a working copy, by section id."""
    rows = session.execute(select(working_copies.c.section_id, working_copies.c.body))
    return {section_id: body for section_id, body in rows}


def list_sections(db: Database, *, include_deleted: bool = False) -> list[Section]:
    """The document outline: every section in document order, numbered ("1", "1.2" ...)."""
    with db.session() as session:
        states = replica.list_current(session, SECTION_TYPE)
        working = _working_bodies(session)
        sections = [
            _payload_section(st, working.get(st.entity_id), _really_in_conflict(session, st))
            for st in states
        ]
    return _outline(sections, include_deleted)


def get_section(db: Database, section_id: str) -> Section:
    """One section (numbered as in the outline, also when deleted)."""
    for section in list_sections(db, include_deleted=True):
        if section.id == section_id:
            return section
    raise FrameworkError(_("There is no section {ref} in the framework.").format(ref=section_id))


def find_section(db: Database, ref: str) -> Section:
    """A section by id, outline number ("2.1") or title (exact, case-insensitive), if unique."""
    ref = ref.strip()
    sections = list_sections(db)
    for section in sections:
        if section.id == ref or section.number == ref.rstrip("."):
            return section
    folded = ref.casefold()
    matches = [s for s in sections if s.title.strip().casefold() == folded]
    if not matches:
        matches = [s for s in sections if s.id.startswith(ref)] if len(ref) >= 4 else []
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise FrameworkError(_("There is no section {ref} in the framework.").format(ref=ref))
    raise FrameworkError(
        _("{ref} names several sections; use the section number or id.").format(ref=ref)
    )


def document_language(db: Database) -> str | None:
    """The language most sections are written in (``None`` before a document exists)."""
    counts: dict[str, int] = defaultdict(int)
    for section in list_sections(db):
        counts[section.language] += 1
    return max(counts, key=lambda k: counts[k]) if counts else None


def has_document(db: Database) -> bool:
    return bool(list_sections(db))


# --------------------------------------------------------------------------- writing sections


def _commit_fields(db: Database, profile: Profile, section_id: str, **fields: Any) -> Changes:
    """Commit new values of metadata fields, keeping the working copy's base in step.

    A section in conflict is not touched: committing on it would settle the
    conflict silently with the displayed version.
    """
    with db.transaction() as session:
        state = section_state(session, section_id)
        if _really_in_conflict(session, state):
            raise FrameworkError(
                _("Section {title} has versions in conflict; settle them first.").format(
                    title=state.payload.get("title", section_id)
                )
            )
        payload = {**state.payload, **fields}
        if payload == state.payload and state.heads == 1:
            return Changes()
        revision = replica.commit(session, profile.device_id, SECTION_TYPE, section_id, payload)
        session.execute(
            update(working_copies)
            .where(working_copies.c.section_id == section_id,
                   working_copies.c.base_revision_id == state.revision_id)
            .values(base_revision_id=revision.id)
        )
    return section_changes(section_id)


def _siblings(session: Session, parent_id: str | None, exclude: str | None = None) -> list[dict]:
    out = []
    for state in replica.list_current(session, SECTION_TYPE):
        p = state.payload
        if p.get("parent_id") == parent_id and not p.get("deleted") and state.entity_id != exclude:
            out.append({"id": state.entity_id, "position": str(p.get("position", ""))})
    out.sort(key=lambda s: (s["position"], s["id"]))
    return out


def _position_at(siblings: list[dict], index: int) -> str:
    index = max(0, min(index, len(siblings)))
    before = siblings[index - 1]["position"] if index > 0 else None
    after = siblings[index]["position"] if index < len(siblings) else None
    return key_between(before, after)


def create_document(db: Database, profile: Profile, language: str) -> Changes:
    """Write the skeleton's sections in ``language`` (titles and starter text) as new sections."""
    language = normalize_language(language)
    if language not in LANGUAGES:
        raise FrameworkError(_("Unknown language {code}.").format(code=language))
    skeleton = load_skeleton()
    by_parent: dict[str | None, list[str]] = defaultdict(list)
    for section in skeleton.sections:
        by_parent[section.parent_id].append(section.id)
    positions: dict[str, str] = {}
    for ids in by_parent.values():
        positions.update(zip(ids, keys_for(len(ids)), strict=True))
    with db.transaction() as session:
        if any(not st.payload.get("deleted") for st in replica.list_current(session, SECTION_TYPE)):
            raise FrameworkError(_("This data directory already has a framework document."))
        for section in skeleton.sections:
            existing = replica.current(session, SECTION_TYPE, section.id)
            payload = {
                "parent_id": section.parent_id,
                "position": positions[section.id],
                "title": pick(section.title, language),
                "body": pick(section.starter, language),
                "status": "draft",
                "owner": "",
                "language": language,
                "deleted": False,
            }
            if existing is not None and existing.payload == payload:
                continue
            replica.commit(session, profile.device_id, SECTION_TYPE, section.id, payload)
    return section_changes(*(s.id for s in skeleton.sections))


def add_section(
    db: Database,
    profile: Profile,
    title: str,
    *,
    parent_id: str | None = None,
    index: int | None = None,
    body: str = "",
    section_id: str | None = None,
) -> Changes:
    """Add a section under ``parent_id`` at ``index`` among its siblings (default: last).

    ``section_id`` lets the GUI's undo stack redo an addition with the same id.
    """
    title = title.strip()
    if not title:
        raise FrameworkError(_("A section needs a title."))
    section_id = section_id or str(uuid.uuid4())
    language = document_language(db) or normalize_language(profile.language)
    with db.transaction() as session:
        if replica.current(session, SECTION_TYPE, section_id) is not None:
            raise FrameworkError(_("Section {ref} exists already.").format(ref=section_id))
        if parent_id is not None:
            section_state(session, parent_id)
        siblings = _siblings(session, parent_id)
        position = _position_at(siblings, len(siblings) if index is None else index)
        replica.commit(
            session,
            profile.device_id,
            SECTION_TYPE,
            section_id,
            {
                "parent_id": parent_id,
                "position": position,
                "title": title,
                "body": body,
                "status": "draft",
                "owner": "",
                "language": language,
                "deleted": False,
            },
        )
    return section_changes(section_id)


def rename_section(db: Database, profile: Profile, section_id: str, title: str) -> Changes:
    title = title.strip()
    if not title:
        raise FrameworkError(_("A section needs a title."))
    return _commit_fields(db, profile, section_id, title=title)


def set_status(db: Database, profile: Profile, section_id: str, status: str) -> Changes:
    check_status(status)
    return _commit_fields(db, profile, section_id, status=status)


def set_owner(db: Database, profile: Profile, section_id: str, owner: str) -> Changes:
    return _commit_fields(db, profile, section_id, owner=owner.strip())


def delete_section(db: Database, profile: Profile, section_id: str) -> Changes:
    """Mark a section deleted (its subsections disappear with it; ``restore_section`` undoes)."""
    return _commit_fields(db, profile, section_id, deleted=True)


def restore_section(db: Database, profile: Profile, section_id: str) -> Changes:
    return _commit_fields(db, profile, section_id, deleted=False)


def _descendants(session: Session, section_id: str) -> set[str]:
    children: dict[str, list[str]] = defaultdict(list)
    for state in replica.list_current(session, SECTION_TYPE):
        parent = state.payload.get("parent_id")
        if parent:
            children[parent].append(state.entity_id)
    found: set[str] = set()
    stack = [section_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def move_section(
    db: Database, profile: Profile, section_id: str, *, parent_id: str | None, index: int
) -> Changes:
    """Move a section under ``parent_id`` (``None``: top level) to ``index`` among its siblings."""
    with db.session() as session:
        if parent_id is not None:
            section_state(session, parent_id)
            if parent_id == section_id or parent_id in _descendants(session, section_id):
                raise FrameworkError(_("A section cannot be moved into itself."))
        position = _position_at(_siblings(session, parent_id, exclude=section_id), index)
    return _commit_fields(db, profile, section_id, parent_id=parent_id, position=position)


def shift_section(db: Database, profile: Profile, section_id: str, direction: str) -> Changes:
    """Move a section one step: ``up``, ``down``, ``indent`` (into the previous sibling) or ``outdent``.

    Returns no changes when the step is impossible (the first section moving up ...).
    """
    with db.session() as session:
        state = section_state(session, section_id)
        parent_id = state.payload.get("parent_id")
        siblings = _siblings(session, parent_id)
    ids = [s["id"] for s in siblings]
    index = ids.index(section_id) if section_id in ids else len(ids)
    if direction == "up":
        if index == 0:
            return Changes()
        return move_section(db, profile, section_id, parent_id=parent_id, index=index - 1)
    if direction == "down":
        if index >= len(ids) - 1:
            return Changes()
        return move_section(db, profile, section_id, parent_id=parent_id, index=index + 1)
    if direction == "indent":
        if index == 0:
            return Changes()
        new_parent = ids[index - 1]
        with db.session() as session:
            count = len(_siblings(session, new_parent))
        return move_section(db, profile, section_id, parent_id=new_parent, index=count)
    if direction == "outdent":
        if parent_id is None:
            return Changes()
        with db.session() as session:
            grand = replica.current(session, SECTION_TYPE, parent_id)
            grand_parent = grand.payload.get("parent_id") if grand is not None else None
            uncles = [s["id"] for s in _siblings(session, grand_parent)]
        after = uncles.index(parent_id) + 1 if parent_id in uncles else len(uncles)
        return move_section(db, profile, section_id, parent_id=grand_parent, index=after)
    raise FrameworkError(_("Unknown direction {direction}.").format(direction=direction))


def set_body(db: Database, profile: Profile, section_id: str, body: str) -> Changes:
    """Commit a new body at once (the CLI's ``framework set``); any working copy stays."""
    with db.transaction() as session:
        state = section_state(session, section_id)
        if _really_in_conflict(session, state):
            raise FrameworkError(
                _("Section {title} has versions in conflict; settle them first.").format(
                    title=state.payload.get("title", section_id)
                )
            )
        if state.payload.get("body") == body and state.heads == 1:
            return Changes()
        replica.commit(
            session, profile.device_id, SECTION_TYPE, section_id, {**state.payload, "body": body}
        )
    return section_changes(section_id)


# --------------------------------------------------------------------------- working copy


def save_working_copy(db: Database, section_id: str, body: str) -> Changes:
    """Autosave the body being typed (no revision). Returns no changes: nothing replicated moved."""
    with db.transaction() as session:
        state = section_state(session, section_id)
        this_copy = working_copies.c.section_id == section_id
        saved_at = datetime.now(UTC)
        if session.execute(select(working_copies.c.section_id).where(this_copy)).first() is not None:
            session.execute(update(working_copies).where(this_copy).values(body=body, saved_at=saved_at))
        elif body != state.payload.get("body", ""):
            session.execute(insert(working_copies).values(
                section_id=section_id, body=body, base_revision_id=state.revision_id, saved_at=saved_at,
            ))
    return Changes()


def working_copy(db: Database, section_id: str) -> str | None:
    with db.session() as session:
        return session.execute(
            select(working_copies.c.body).where(working_copies.c.section_id == section_id)
        ).scalar_one_or_none()


def discard_working_copy(db: Database, section_id: str) -> Changes:
    with db.transaction() as session:
        session.execute(delete(working_copies).where(working_copies.c.section_id == section_id))
    return section_changes(section_id)


def _cut(session: Session, profile: Profile, section_id: str) -> bool:
    row = session.execute(
        select(working_copies.c.body, working_copies.c.base_revision_id)
        .where(working_copies.c.section_id == section_id)
    ).one_or_none()
    if row is None:
        return False
    body, base_id = row
    session.execute(delete(working_copies).where(working_copies.c.section_id == section_id))
    heads = replica.heads(session, section_id)
    if not heads:
        return False
    distinct = distinct_payloads(heads)
    base = replica.get_revision(session, base_id) if base_id else None
    head_body = distinct[0].payload.get("body", "")
    if len(distinct) == 1 and (base is None or same_text(base.payload.get("body", ""), head_body)):
        # Nobody else changed the text since the drafter started: a plain new revision.
        if body == distinct[0].payload.get("body") and len(heads) == 1:
            return False
        replica.commit(
            session, profile.device_id, SECTION_TYPE, section_id, {**distinct[0].payload, "body": body}
        )
        return True
    if base is None:
        base = distinct[0]
    # The section changed underneath (an imported draft) or is in conflict: record
    # the drafter's text as a child of what they started from, i.e. as one more
    # version to merge, never as an overwrite of the other.
    clock = replica.tick(session, profile.device_id)
    revision = make_revision(
        SECTION_TYPE, section_id, [base.id], profile.device_id, clock, {**base.payload, "body": body}
    )
    replica.add_revisions(session, [revision])
    return True


def cut_revision(db: Database, profile: Profile, section_id: str) -> Changes:
    """Turn the working copy of a section into a revision (no-op without one)."""
    with db.transaction() as session:
        changed = _cut(session, profile, section_id)
    return section_changes(section_id) if changed else Changes()


def restore_revision(db: Database, profile: Profile, section_id: str, revision_id: str) -> Changes:
    """Make an old revision's title and text current again, as a new revision.

    Nothing is rewritten: the history keeps every version, the restore is one more (and
    restoring the version it replaced undoes it).  Unsaved typing is cut into a revision
    first, so it stays in the history too.  Status, owner and place in the outline stay.
    """
    with db.transaction() as session:
        old = replica.get_revision(session, revision_id)
        if old is None or old.entity_type != SECTION_TYPE or old.entity_id != section_id:
            raise FrameworkError(_("Unknown revision."))
        _cut(session, profile, section_id)
        state = section_state(session, section_id)
        if _really_in_conflict(session, state):
            raise FrameworkError(
                _("Section {title} has versions in conflict; settle them first.").format(
                    title=state.payload.get("title", section_id)))
        payload = {**state.payload, "body": old.payload.get("body", ""),
                   "title": old.payload.get("title", state.payload.get("title", ""))}
        if payload == state.payload:
            return Changes()
        replica.commit(session, profile.device_id, SECTION_TYPE, section_id, payload)
    return section_changes(section_id)


def cut_all_revisions(db: Database, profile: Profile) -> Changes:
    """Cut a revision from every working copy (before an export)."""
    with db.transaction() as session:
        ids = list(session.scalars(select(working_copies.c.section_id)))
        changed = [section_id for section_id in ids if _cut(session, profile, section_id)]
    return section_changes(*changed) if changed else Changes()


def sections_in_conflict(db: Database) -> list[Section]:
    return [s for s in list_sections(db, include_deleted=True) if s.in_conflict]


def framework_figures(db: Database) -> dict[str, int]:
    """The framework's figures for ``neascn stats``."""
    sections = list_sections(db)
    comments = list_comments(db)
    return {
        "framework_sections": len(sections),
        "framework_sections_agreed": sum(1 for s in sections if s.status == "agreed"),
        "framework_sections_in_conflict": sum(1 for s in sections if s.in_conflict),
        "framework_working_copies": sum(1 for s in sections if s.has_working_copy),
        "framework_open_comments": sum(1 for c in comments if not c.resolved),
    }


# The framework's use cases by one name, wherever they live (comments, history: beside this module).
__all__ = [
    "META_FIELDS", "add_comment", "add_section", "author_of", "check_status", "clock_time",
    "comment_changes", "create_document", "cut_all_revisions", "cut_revision", "delete_section",
    "restore_revision",
    "device_names", "diff_payloads", "diff_revisions", "discard_working_copy", "distinct_payloads",
    "document_language", "find_section", "framework_figures", "get_section", "has_document", "history",
    "list_comments", "list_sections", "move_section", "rename_section", "resolve_comment",
    "restore_section", "save_working_copy", "section_changes", "section_state", "sections_in_conflict",
    "set_body", "set_owner", "set_status", "shift_section", "working_copy",
]
