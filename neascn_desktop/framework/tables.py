"""Tables of the framework room (declared on ``neascn_desktop.store.base.Base``).

Sections and comments themselves live in the revision log; the only local
table is the working copy: the body a drafter is typing, autosaved on every
change so that no keystroke is lost, until a revision is cut from it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from neascn_desktop.store.base import Base
from neascn_desktop.store.types import UtcDateTime


class WorkingCopyRow(Base):
    """The unsaved-to-the-log body of one section on this device.

    ``base_revision_id`` is the revision the drafter started from: if the
    section changed underneath (an imported draft), cutting the working copy
    makes it a sibling of that revision, i.e. a conflict to merge, never an
    overwrite.
    """

    __tablename__ = "framework_working_copy"

    section_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    base_revision_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime())
