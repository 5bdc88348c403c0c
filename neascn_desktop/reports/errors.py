"""Errors of the reports room (a light module: the CLI imports it without python-docx)."""

from __future__ import annotations

from neascn_desktop.errors import NeascnError
from neascn_desktop.i18n import _


class ReportError(NeascnError):
    """A report or an export could not be built or written; ``str()`` is a user-facing sentence."""


class ReportCancelled(ReportError):
    """The user cancelled while a report was being built (nothing was written)."""

    def __init__(self) -> None:
        super().__init__(_("The report was cancelled."))
