"""The replica room's errors: one translated sentence each."""

from __future__ import annotations

from neascn_desktop.errors import NeascnError


class ReplicaError(NeascnError):
    """A revision or a replication request is invalid; ``str()`` is a user-facing sentence."""
