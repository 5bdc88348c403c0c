"""Counts of what a data directory holds and a digest of its replicated state.

The rooms add their figures here; ``neascn stats --json`` and the GUI's About
box print the same dictionary.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select

from neascn_desktop.identity.models import TrustedDeviceRow
from neascn_desktop.replica import log as replica_log
from neascn_desktop.store.database import Database


def collect_stats(db: Database) -> dict[str, Any]:
    with db.session() as session:
        trusted = session.scalar(
            select(func.count()).select_from(TrustedDeviceRow).where(TrustedDeviceRow.revoked_at.is_(None))
        )
        revoked = session.scalar(
            select(func.count()).select_from(TrustedDeviceRow).where(TrustedDeviceRow.revoked_at.is_not(None))
        )
    stats: dict[str, Any] = {
        "trusted_devices": int(trusted or 0),
        "revoked_devices": int(revoked or 0),
        "digest": hashlib.sha256(b"").hexdigest(),
    }
    # The revision log: counts and the order-independent digest of the replicated state.
    replica_counts = replica_log.counts(db)
    stats["revisions"] = replica_counts["revisions"]
    stats["pending_revisions"] = replica_counts["pending"]
    stats["entities"] = replica_counts["entities"]
    stats["conflicts"] = replica_counts["conflicts"]
    stats["digest"] = replica_log.digest(db)
    # Surveys: current submissions and the answered questions across them.
    from neascn_desktop.surveys.service import submission_figures

    stats.update(submission_figures(db))
    # Framework: sections, agreed ones, conflicts, unsaved working copies, open comments.
    from neascn_desktop.framework.service import framework_figures

    stats.update(framework_figures(db))
    # Evidence: attachments records refer to that are not in the attachments folder.
    from neascn_desktop.sync.evidence import missing_attachments

    stats["missing_attachments"] = missing_attachments(db)
    return stats
