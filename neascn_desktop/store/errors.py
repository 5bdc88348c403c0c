"""The store's exception hierarchy (no SQLAlchemy here: the attachment writer uses it in the
package-reading workers, which start before the database layer is loaded)."""

from __future__ import annotations

from neascn_desktop.errors import NeascnError


class StoreError(NeascnError):
    """A database could not be opened or upgraded; ``str()`` is a user-facing sentence."""


class AttachmentError(StoreError):
    """An attachment file could not be written or does not match its content hash."""
