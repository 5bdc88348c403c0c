"""Where a person left each submission's form (page and question), so it reopens there.

Kept in the data directory's window settings (``gui.ini``) beside the
database, per submission; written when the page or the question changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from neascn_desktop.gui.settings import gui_settings


class PositionMemory:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    @staticmethod
    def _key(submission_id: str) -> str:
        return f"form_position/{submission_id}"

    def remember(self, submission_id: str, page: int, question: str | None) -> None:
        """The page shown, and the question worked on (``None``: keep the one on that page)."""
        settings = gui_settings(self.data_dir)
        key = self._key(submission_id)
        if question is None:
            previous_page, _sep, previous = str(settings.value(key, "") or "").partition("|")
            question = previous if previous_page == str(page) else None
        value = f"{page}|{question or ''}"
        if settings.value(key) != value:
            settings.setValue(key, value)
            settings.sync()

    def recall(self, submission_id: str, pages: int,
               has_question: Callable[[str], bool]) -> tuple[int, str | None]:
        """(page, question) where the person left (page 0 and no question if unknown)."""
        text = str(gui_settings(self.data_dir).value(self._key(submission_id), "") or "")
        page_text, _sep, question = text.partition("|")
        try:
            page = int(page_text)
        except ValueError:
            return 0, None
        if not 0 <= page < pages:
            return 0, None
        return page, (question if question and has_question(question) else None)
