"""ORM classes of the surveys room's tables (defined in Core in ``surveys.tables``, which explains them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped

from neascn_desktop.store.base import Base
from neascn_desktop.surveys.tables import submission_working_copy_table


class SubmissionWorkingCopyRow(Base):
    """The autosaved, in-progress state of one submission on this device."""

    __table__ = submission_working_copy_table

    submission_id: Mapped[str]
    payload: Mapped[str]
    base_revision_id: Mapped[str | None]
    updated_at: Mapped[datetime]

