"""Comments on sections: threads, replies, resolved or open (entities of the revision log)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime

from neascn_desktop import replica
from neascn_desktop.changes import Changes
from neascn_desktop.framework.model import (
    COMMENT_TYPE,
    Comment,
    FrameworkError,
)
from neascn_desktop.framework.records import comment_changes, section_state
from neascn_desktop.i18n import _
from neascn_desktop.identity.profile import Profile
from neascn_desktop.store.database import Database


def _comment(state: replica.CurrentState) -> Comment:
    p = state.payload
    return Comment(
        id=state.entity_id,
        section_id=str(p.get("section_id", "")),
        reply_to=p.get("reply_to"),
        author=str(p.get("author", "")),
        device_id=str(p.get("device_id", "")),
        text=str(p.get("text", "")),
        created_at=str(p.get("created_at", "")),
        resolved=bool(p.get("resolved", False)),
        revision_id=state.revision_id,
    )


def list_comments(db: Database, section_id: str | None = None) -> list[Comment]:
    """Comments in thread order: each top-level comment (oldest first) followed by its replies."""
    with db.session() as session:
        comments = [_comment(st) for st in replica.list_current(session, COMMENT_TYPE)]
    if section_id is not None:
        comments = [c for c in comments if c.section_id == section_id]
    comments.sort(key=lambda c: (c.created_at, c.id))
    ids = {c.id for c in comments}
    replies: dict[str, list[Comment]] = defaultdict(list)
    roots = []
    for c in comments:
        if c.reply_to and c.reply_to in ids and c.reply_to != c.id:
            replies[c.reply_to].append(c)
        else:
            roots.append(c)
    out: list[Comment] = []

    def walk(comment: Comment) -> None:
        out.append(comment)
        for reply in replies.get(comment.id, []):
            walk(reply)

    for root in roots:
        walk(root)
    return out


def add_comment(
    db: Database,
    profile: Profile,
    section_id: str,
    text: str,
    *,
    reply_to: str | None = None,
    comment_id: str | None = None,
) -> Changes:
    """Comment on a section, or reply to a comment (each comment is its own entity)."""
    text = text.strip()
    if not text:
        raise FrameworkError(_("A comment cannot be empty."))
    comment_id = comment_id or str(uuid.uuid4())
    with db.transaction() as session:
        section_state(session, section_id)
        if reply_to is not None and replica.current(session, COMMENT_TYPE, reply_to) is None:
            raise FrameworkError(_("There is no comment {ref}.").format(ref=reply_to))
        replica.commit(
            session,
            profile.device_id,
            COMMENT_TYPE,
            comment_id,
            {
                "section_id": section_id,
                "reply_to": reply_to,
                "author": profile.display_name,
                "device_id": profile.device_id,
                "text": text,
                "created_at": datetime.now(UTC).isoformat(timespec="microseconds"),
                "resolved": False,
            },
        )
    return comment_changes(comment_id)


def resolve_comment(
    db: Database, profile: Profile, comment_id: str, resolved: bool = True
) -> Changes:
    """Mark a comment thread resolved (or open again)."""
    with db.transaction() as session:
        state = replica.current(session, COMMENT_TYPE, comment_id)
        if state is None:
            raise FrameworkError(_("There is no comment {ref}.").format(ref=comment_id))
        if bool(state.payload.get("resolved")) == resolved and state.heads == 1:
            return Changes()
        # Two people resolving one comment concurrently is no real conflict:
        # committing on all heads settles it with the new value.
        replica.commit(
            session,
            profile.device_id,
            COMMENT_TYPE,
            comment_id,
            {**state.payload, "resolved": resolved},
        )
    return comment_changes(comment_id)


