"""Tables of the framework room (SQLAlchemy Core, on the shared ``store.metadata``).

Sections and comments themselves live in the revision log; the only local
table is the working copy: the body a drafter is typing, autosaved on every
change so that no keystroke is lost, until a revision is cut from it.

``base_revision_id`` is the revision the drafter started from: if the section
changed underneath (an imported draft), cutting the working copy makes it a
sibling of that revision, i.e. a conflict to merge, never an overwrite.
"""

from __future__ import annotations

from sqlalchemy import Column, String, Table, Text

from neascn_desktop.store.metadata import metadata
from neascn_desktop.store.types import UtcDateTime

#: The unsaved-to-the-log body of one section on this device.
section_working_copy_table = Table(
    "framework_working_copy", metadata,
    Column("section_id", String(100), primary_key=True),
    Column("body", Text, nullable=False),
    Column("base_revision_id", String(64), nullable=True),
    Column("saved_at", UtcDateTime(), nullable=False),
)
