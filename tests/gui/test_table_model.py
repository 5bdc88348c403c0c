"""RowTableModel: counts, translated titles, resets and the signals of a language switch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from neascn_desktop import i18n
from neascn_desktop.gui.table_model import RowTableModel
from neascn_desktop.i18n import N_

DISPLAY = Qt.ItemDataRole.DisplayRole
HORIZONTAL = Qt.Orientation.Horizontal


class Fixed(RowTableModel[str]):
    COLUMNS = (N_("Framework"), N_("Surveys"))


class Varying(RowTableModel[str]):
    def __init__(self) -> None:
        super().__init__()
        self.extra: list[str] = []

    def columns(self) -> Sequence[str]:
        return (N_("Inbox"), *self.extra)

    def column_title(self, section: int) -> str:
        return self.extra[section - 1] if section else super().column_title(section)


def test_counts_titles_and_rows(qapp: Any) -> None:
    model = Fixed()
    assert (model.rowCount(), model.columnCount()) == (0, 2)
    assert [model.headerData(c, HORIZONTAL) for c in range(2)] == ["Framework", "Surveys"]
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.headerData(0, HORIZONTAL, Qt.ItemDataRole.ToolTipRole) is None

    resets: list[str] = []
    model.modelAboutToBeReset.connect(lambda: resets.append("about"))
    model.modelReset.connect(lambda: resets.append("done"))
    model.set_rows(row for row in ("a", "b", "c"))
    assert resets == ["about", "done"]
    assert model.rowCount() == 3 and model.rows == ["a", "b", "c"] and model.row(1) == "b"
    # A flat table: nothing under a cell.
    assert model.rowCount(model.index(0, 0)) == 0 and model.columnCount(model.index(0, 0)) == 0
    assert model.rowCount(QModelIndex()) == 3


def test_titles_follow_the_language(qapp: Any, korean_catalog: Any) -> None:
    model = Fixed()
    model.set_rows(["a", "b"])
    headers: list[tuple[int, int]] = []
    cells: list[tuple[int, int, int, int]] = []
    model.headerDataChanged.connect(lambda _o, first, last: headers.append((first, last)))
    model.dataChanged.connect(lambda tl, br, *_r: cells.append((tl.row(), tl.column(), br.row(), br.column())))

    i18n.set_language("ko")
    model.retranslate()
    assert model.headerData(0, HORIZONTAL) == "프레임워크"
    assert headers == [(0, 1)] and cells == [(0, 0, 1, 1)]


def test_columns_that_vary(qapp: Any) -> None:
    model = Varying()
    model.extra = ["Version from Ana", "Version from Bo"]
    assert model.columnCount() == 3
    assert [model.headerData(c, HORIZONTAL, DISPLAY) for c in range(3)] == [
        "Inbox", "Version from Ana", "Version from Bo"]

    headers: list[tuple[int, int]] = []
    model.headerDataChanged.connect(lambda _o, first, last: headers.append((first, last)))
    model.retranslate()
    assert headers == [(0, 2)]
    model.extra = []
    model.retranslate()
    assert headers == [(0, 2), (0, 0)]


def test_no_columns_no_signals(qapp: Any) -> None:
    model: RowTableModel[str] = RowTableModel()
    model.set_rows(["a"])
    signals: list[object] = []
    model.headerDataChanged.connect(lambda *args: signals.append(args))
    model.dataChanged.connect(lambda *args: signals.append(args))
    model.retranslate()
    assert model.columnCount() == 0 and signals == []
