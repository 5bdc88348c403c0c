"""Document craft: numbering from styles, SEQ captions, two-level contents, pagination, cover."""

from __future__ import annotations

from pathlib import Path

from docx.oxml.ns import qn

from neascn_desktop.reports import synthetic
from neascn_desktop.reports.readiness import build_readiness_report
from neascn_desktop.reports.status_report import build_status_report
from tests.reports.conftest import outline


def test_readiness_structure(tmp_path: Path, docx_summary) -> None:
    data = synthetic.readiness_data(cities=3)
    path = tmp_path / "r.docx"
    build_readiness_report(data, path)
    summary = docx_summary(path)
    document = summary.document
    numbers = outline(document)
    assert numbers[:3] == [("1", "Executive summary"), ("2", "Methodology"), ("2.1", "Domains")]
    assert all(not text[:1].isdigit() for _n, text in numbers)  # no typed numbers
    # Captions: a SEQ field where the number is, for figures and tables.
    assert sum(1 for f in summary.fields if f.startswith("SEQ Figure")) == summary.images
    assert any(f.startswith("SEQ Table") for f in summary.fields)
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert "Figure 1: Average score per domain" in captions
    assert "Table 1: Readiness by city and domain" in captions
    # Contents over two levels.
    assert any(f.startswith('TOC \\o "1-2"') for f in summary.fields)
    # Keep-with-next on headings (their style), captions and pictures; in a table only in a
    # city profile's short ones (domain scores, roadmap), never in its last row: long tables
    # flow instead of leaving pages a third full.
    def kept(row) -> bool:
        return any(p.pPr is not None and p.pPr.find(qn("w:keepNext")) is not None
                   for p in row.iter(qn("w:p")))

    kept_tables = 0
    for table in document.element.body.iter(qn("w:tbl")):
        rows = table.findall(qn("w:tr"))
        if any(kept(row) for row in rows):
            kept_tables += 1
            assert len(rows) <= 8 and not kept(rows[-1])
    assert kept_tables >= len(data.cities)  # a domain table per profile at least
    # The cover has no running header and no "Page 1 of N".
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert not section.first_page_header.is_linked_to_previous
    assert all(not p.text for p in section.first_page_header.paragraphs)
    assert all(not p.text for p in section.first_page_footer.paragraphs)
    assert "PAGE" in summary.footer_xml  # the other pages keep theirs


def test_status_report_numbers_its_headings(tmp_path: Path, docx_summary) -> None:
    path = tmp_path / "s.docx"
    build_status_report(synthetic.status_data("en"), path)
    numbers = outline(docx_summary(path).document)
    assert numbers and numbers[0][0] == "1"


def test_front_matter_names_the_edition(tmp_path: Path, docx_summary) -> None:
    from neascn_desktop.reports.readiness import document_number

    data = synthetic.readiness_data(cities=2)
    path = tmp_path / "r.docx"
    build_readiness_report(data, path)
    document = docx_summary(path).document
    cover = [p.text for p in document.paragraphs if p.style.name == "Cover Meta"]
    number = document_number(data)
    assert number == "NEASCN-RR-2026.1-20261125-en"
    assert f"Document {number}" in cover
    assert any(t.startswith("How to cite: NEASCN secretariat (2026). City Smart-Readiness Report.")
               and number in t for t in cover)
    assert any(t.startswith("Disclaimer:") for t in cover)
    toc_heading = document.styles["TOC Heading"].element.pPr
    assert toc_heading.numPr.numId.val == 0  # the contents' title is not numbered
