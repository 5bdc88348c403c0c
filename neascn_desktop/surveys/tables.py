"""Tables of the surveys room (SQLAlchemy Core, on the shared ``store.metadata``).

Both are local to this data directory and never replicated:

- ``survey_working_copy``: the autosaved, in-progress state of a submission
  being edited (written on every change, so a crash loses nothing typed);
  a revision is cut from it at save points and it is dropped once a revision
  holds the same content.
- ``survey_submission_sent``: which revision of a submission went out in an
  exported package (the "sent" status of the city list), and when the
  secretariat acknowledged holding it (``received_at``, the "received" status).

The working copy is handled through the ORM class in ``surveys.models``; the sent
records through Core, in ``surveys.sent``.
"""

from __future__ import annotations

from sqlalchemy import Column, String, Table, Text

from neascn_desktop.store.metadata import metadata
from neascn_desktop.store.types import UtcDateTime

#: The in-progress state of one submission (``payload``: JSON, the whole submission payload).
submission_working_copy_table = Table(
    "survey_working_copy", metadata,
    Column("submission_id", String(100), primary_key=True),
    Column("payload", Text, nullable=False),
    Column("base_revision_id", String(64), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
)

#: One revision of a submission that went out in a package, and its acknowledgement.
submission_sent_table = Table(
    "survey_submission_sent", metadata,
    Column("submission_id", String(100), primary_key=True),
    Column("revision_id", String(64), primary_key=True),
    Column("package_id", String(100), nullable=True),
    Column("sent_at", UtcDateTime(), nullable=False),
    Column("received_at", UtcDateTime(), nullable=True),
)
