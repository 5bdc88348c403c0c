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


def test_a_short_table_can_be_kept_together(tmp_path: Path) -> None:
    # A city's domain table: split after its first row it left that row alone at a page end.
    doc = ReportDocument("en", "Report")
    rows = [["Governance", "50"], ["Data", "60"], ["People", "70"]]
    doc.start_chunk()
    doc.table(["Domain", "Score"], rows, keep_together=True)
    doc.table(["Domain", "Score"], rows)
    doc.release()
    path = doc.save(tmp_path / "t.docx")
    kept, plain = docx.Document(str(path)).tables

    def keeps(table) -> list[bool]:
        return [all(bool(p.paragraph_format.keep_with_next) for c in row.cells for p in c.paragraphs)
                for row in table.rows[1:]]

    assert keeps(kept) == [True, True, False]
    assert keeps(plain) == [False, False, False]


def test_the_body_is_streamed_into_the_package_as_its_blob_says(tmp_path: Path) -> None:
    # The document part comes in pieces (released chunks in place) and is written piece by
    # piece; what lands in the zip is exactly the part's XML.
    doc = ReportDocument("en", "Report")
    for number in range(3):
        doc.start_chunk()
        doc.heading(f"Chunk {number}", 2)
        doc.table(["a"], [[str(number)]])
        doc.release()
    path = doc.save(tmp_path / "r.docx")
    with zipfile.ZipFile(path) as archive:
        written = archive.read("word/document.xml")
        assert archive.getinfo("word/document.xml").compress_type == zipfile.ZIP_DEFLATED
    assert written == doc.document.part.blob
    assert written.count(b"<w:tbl>") == 3 and b"neascn-" not in written
