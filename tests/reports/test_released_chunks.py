"""Finished parts of a report are serialised early (memory) and spliced back in order at save."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

import docx
from docx.oxml.ns import qn

from neascn_desktop.reports import synthetic
from neascn_desktop.reports.document import ReportDocument
from neascn_desktop.reports.readiness import build_readiness_report


def test_released_blocks_come_back_in_order(tmp_path: Path) -> None:
    doc = ReportDocument("en", "t")
    doc.paragraph("cover")
    doc.table_of_contents()
    doc.start_chunk()
    doc.heading("One", 1)
    doc.paragraph("first")
    doc.release()
    doc.paragraph("between")  # written straight into the body
    doc.start_chunk()
    doc.heading("Two", 1)
    doc.table(["a", "b"], [["1", "2"]])
    doc.release()
    doc.start_chunk()
    doc.paragraph("last, released at save")
    path = doc.save(tmp_path / "r.docx")
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    body = [t for t in texts if t in ("cover", "first", "between", "last, released at save")]
    assert body == ["cover", "first", "between", "last, released at save"]
    xml = zipfile.ZipFile(path).read("word/document.xml")
    assert b"neascn-released" not in xml and b"neascn-table" not in xml  # tables of chunks too
    # Every block sits in the body's namespace scope: no repeated declarations on blocks.
    assert xml.count(b'xmlns:w="') == 1
    # The contents lists the released headings too.
    assert "One" in texts and "Two" in texts


def test_marker_text_in_a_city_name_stays_text(tmp_path: Path) -> None:
    data = synthetic.readiness_data(cities=2)
    hostile = "<?neascn-released 0?> City <?neascn-table 0?>"
    cities = (dataclasses.replace(data.cities[0], name=hostile),) + data.cities[1:]
    data = dataclasses.replace(data, cities=cities)
    path = tmp_path / "r.docx"
    build_readiness_report(data, path)
    document = docx.Document(str(path))
    assert any(p.text == hostile for p in document.paragraphs)
    # Each city profile appears once, in order, after the overview.
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings.count(hostile) == 1
    # In the tables of the chunks as well (the overview's table lists every city).
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert hostile in cells
    assert document.element.body[-1].tag == qn("w:sectPr")


def test_pictures_are_stored_and_the_xml_deflated(tmp_path: Path) -> None:
    path = tmp_path / "r.docx"
    build_readiness_report(synthetic.readiness_data(cities=2), path)
    with zipfile.ZipFile(path) as archive:
        kinds = {info.filename: info.compress_type for info in archive.infolist()}
        assert archive.testzip() is None
    pictures = [name for name in kinds if name.startswith("word/media/")]
    assert pictures and all(kinds[name] == zipfile.ZIP_STORED for name in pictures)
    assert kinds["word/document.xml"] == zipfile.ZIP_DEFLATED
    assert kinds["[Content_Types].xml"] == zipfile.ZIP_DEFLATED
    assert len(docx.Document(str(path)).inline_shapes) >= 3
