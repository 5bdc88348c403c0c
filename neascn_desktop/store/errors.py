"""The store's exception hierarchy (no SQLAlchemy here: the attachment writer and the package
reader use it without the database layer)."""

from __future__ import annotations

from neascn_desktop.errors import NeascnError


class StoreError(NeascnError):
    """A database could not be opened or upgraded; ``str()`` is a user-facing sentence."""


class AttachmentError(StoreError):
    """An attachment file could not be written or does not match its content hash."""
