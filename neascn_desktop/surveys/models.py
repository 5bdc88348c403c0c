"""ORM classes of the surveys room's tables (defined in Core in ``surveys.tables``, which explains them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped

from neascn_desktop.store.base import Base
from neascn_desktop.surveys.tables import submission_sent_table, submission_working_copy_table


class SubmissionWorkingCopyRow(Base):
    """The autosaved, in-progress state of one submission on this device."""

    __table__ = submission_working_copy_table

    submission_id: Mapped[str]
    payload: Mapped[str]
    base_revision_id: Mapped[str | None]
    updated_at: Mapped[datetime]


class SubmissionSentRow(Base):
    """One revision of a submission that went out in a package (and when it was acknowledged)."""

    __table__ = submission_sent_table

    submission_id: Mapped[str]
    revision_id: Mapped[str]
    package_id: Mapped[str | None]
    sent_at: Mapped[datetime]
    received_at: Mapped[datetime | None]
