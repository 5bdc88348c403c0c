"""The base of the GUI's flat table models: a list of rows under translated column titles.

``RowTableModel`` answers ``rowCount``/``columnCount``/``headerData`` for a list of
plain values, one per row, replaces them all in one model reset (``set_rows``) and
re-reads titles and cells after a language switch (``retranslate``).  Subclasses
write ``data()`` (and any roles, colours, editing) and name their columns: a
``COLUMNS`` tuple of untranslated msgids (marked with ``N_()``), or an override of
``columns()`` when the columns depend on what is shown (and of ``column_title()``
when some titles are not msgids).  Titles are translated when the view asks for
them, so a language switch needs no rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from neascn_desktop.i18n import _

Index = QModelIndex | QPersistentModelIndex
T = TypeVar("T")


class RowTableModel(QAbstractTableModel, Generic[T]):
    """A table of ``T`` values, one per row, with translated horizontal header titles."""

    #: The column titles as untranslated msgids, in order (override ``columns()`` if they vary).
    COLUMNS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[T] = []

    # -- columns
    def columns(self) -> Sequence[str]:
        """The column titles as untranslated msgids; ``COLUMNS`` unless a model's columns vary."""
        return self.COLUMNS

    def column_title(self, section: int) -> str:
        """The title shown over column ``section``, in the current language."""
        return _(self.columns()[section])

    # -- rows
    @property
    def rows(self) -> list[T]:
        """The rows in model order (the model's own list: read it, change it with ``set_rows``)."""
        return self._rows

    def row(self, row: int) -> T:
        return self._rows[row]

    def set_rows(self, rows: Iterable[T]) -> None:
        """Show ``rows`` instead of the current ones (views reset: selection and scroll go)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def retranslate(self) -> None:
        """After a language switch: every column title, and every cell (cells may show translations)."""
        columns = self.columnCount()
        if columns == 0:
            return
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, columns - 1)
        rows = self.rowCount()
        if rows:
            self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, columns - 1))

    # -- QAbstractTableModel
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.columns())

    def headerData(  # noqa: N802 - Qt's name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.column_title(section)
        return None
