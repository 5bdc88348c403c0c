"""Tables of the surveys room (declared on ``neascn_desktop.store.base.Base``).

Both are local to this data directory and never replicated:

- ``survey_working_copy``: the autosaved, in-progress state of a submission
  being edited (written on every change, so a crash loses nothing typed);
  a revision is cut from it at save points and it is dropped once a revision
  holds the same content.
- ``survey_submission_sent``: which revision of a submission went out in an
  exported package (the "sent" status of the city list), and when the
  secretariat acknowledged holding it (``received_at``, the "received" status).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from neascn_desktop.store.base import Base
from neascn_desktop.store.types import UtcDateTime


class WorkingCopyRow(Base):
    __tablename__ = "survey_working_copy"

    submission_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)  # JSON: the whole submission payload
    base_revision_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SubmissionSentRow(Base):
    __tablename__ = "survey_submission_sent"

    submission_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    revision_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    package_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
