"""Demo data for the framework: a drafted skeleton with owners, statuses, comments and a conflict.

``load_demo_framework`` is what ``Help → Load demo data`` and the demo command
call. The texts come from ``resources/framework/demo.json`` in six languages;
a "colleague" device contributes an edit made at the same time as a local one,
so the workspace shows a section in conflict with a clean merge proposal.
"""

from __future__ import annotations

import json
from typing import Any

from neascn_desktop import replica
from neascn_desktop.changes import Changes
from neascn_desktop.framework import service
from neascn_desktop.framework.model import COMMENT_TYPE, SECTION_TYPE
from neascn_desktop.framework.skeleton import pick
from neascn_desktop.framework.textmerge import join_paragraphs, split_paragraphs
from neascn_desktop.i18n import normalize_language
from neascn_desktop.identity.profile import Profile
from neascn_desktop.paths import resource
from neascn_desktop.replica.revision import make_revision
from neascn_desktop.store.database import Database


def _demo() -> dict[str, Any]:
    return json.loads(resource("framework", "demo.json").read_text(encoding="utf-8"))


def load_demo_framework(db: Database, profile: Profile, language: str) -> Changes:
    """Create the framework document in ``language`` with demo drafting; no-op if one exists."""
    if service.has_document(db):
        return Changes()
    language = normalize_language(language)
    demo = _demo()
    changes = service.create_document(db, profile, language)
    for section_id, owner in demo["owners"].items():
        changes |= service.set_owner(db, profile, section_id, owner)
    for section_id, status in demo["statuses"].items():
        changes |= service.set_status(db, profile, section_id, status)

    colleague = demo["colleague"]["device_id"]
    theirs = demo["colleague_paragraph"]
    ours = demo["local_paragraph"]
    with db.transaction() as session:
        base = replica.current(session, SECTION_TYPE, theirs["section"])
        assert base is not None
        paragraphs = split_paragraphs(base.payload["body"])
        paragraphs.insert(theirs["after"], pick(theirs["text"], language))
        # The colleague's edit is a child of the same revision the local edit
        # starts from: two heads, i.e. a conflict whose merge is clean.
        revision = make_revision(
            SECTION_TYPE, theirs["section"], [base.revision_id], colleague,
            replica.tick(session, colleague), {**base.payload, "body": join_paragraphs(paragraphs)},
        )
        replica.add_revisions(session, [revision])
        local = join_paragraphs([*split_paragraphs(base.payload["body"]), pick(ours["text"], language)])
        mine = make_revision(
            SECTION_TYPE, ours["section"], [base.revision_id], profile.device_id,
            replica.tick(session, profile.device_id), {**base.payload, "body": local},
        )
        replica.add_revisions(session, [mine])
        for comment in demo["comments"]:
            replica.commit(session, colleague, COMMENT_TYPE, comment["id"], {
                "section_id": comment["section"],
                "reply_to": comment.get("reply_to"),
                "author": comment["author"],
                "device_id": colleague,
                "text": pick(comment["text"], language),
                "created_at": f"2026-11-2{3 + demo['comments'].index(comment)}T09:00:00+00:00",
                "resolved": False,
            })
    changes |= service.section_changes(theirs["section"])
    changes |= service.comment_changes(*(c["id"] for c in demo["comments"]))
    return changes
