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


def write_failed(path: object, error: OSError) -> ReportError:
    """The sentence for a file that could not be written.

    On Windows a file open in Word or Excel is locked: replacing it fails with
    ``PermissionError``, and the useful sentence says to close it there.
    """
    if isinstance(error, PermissionError):
        return ReportError(_(
            "Cannot write {path}: it is open in another program (Word or Excel?) or read-only. "
            "Close it there and try again."
        ).format(path=path))
    return ReportError(_("Cannot write {path}: {reason}").format(path=path, reason=error.strerror or error))
