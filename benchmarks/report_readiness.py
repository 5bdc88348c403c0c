"""Benchmark: the readiness report for 300 cities, against python-docx alone.

    python benchmarks/report_readiness.py [--cities 300] [--keep DIR]

Prints the time to build the report (charts included) and its page count
(from a LibreOffice PDF conversion when ``soffice`` is installed), then the
time python-docx alone needs to write the same paragraphs (same styles and
texts), tables (same cells) and pictures (the same PNG bytes, already
rendered) into the same template.  Budget (issue 7): under 20 s and under 3×
the python-docx time.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_SECONDS = 20.0
BUDGET_RATIO = 3.0


def plain_python_docx(report: Path, target: Path) -> float:
    """Write the report's content again with nothing but python-docx; returns the seconds taken."""
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Emu

    from neascn_desktop.reports.document import template_path

    source = docx.Document(str(report))
    blocks: list[tuple] = []
    images = {rel.rId: rel.target_part.blob for rel in source.part.rels.values()
              if "image" in rel.reltype}
    for element in source.element.body.iterchildren():
        if element.tag == qn("w:p"):
            blip = next(element.iter(qn("a:blip")), None)
            if blip is not None:
                extent = next(element.iter(qn("wp:extent")))
                blocks.append(("picture", images[blip.get(qn("r:embed"))], int(extent.get("cx"))))
                continue
            style = element.pPr.pStyle.val if element.pPr is not None and element.pPr.pStyle is not None else None
            text = "".join(t.text or "" for t in element.iter(qn("w:t")))
            blocks.append(("paragraph", style, text))
        elif element.tag == qn("w:tbl"):
            rows = [["".join(t.text or "" for t in tc.iter(qn("w:t"))) for tc in tr.iter(qn("w:tc"))]
                    for tr in element.iter(qn("w:tr"))]
            blocks.append(("table", rows))

    start = time.perf_counter()
    document = docx.Document(str(template_path()))
    styles = {s.style_id: s for s in document.styles}
    table_style = document.styles["NEASCN Table"]
    for block in blocks:
        if block[0] == "paragraph":
            document.add_paragraph(block[2], styles.get(block[1]) if block[1] else None)
        elif block[0] == "picture":
            document.add_picture(io.BytesIO(block[1]), width=Emu(block[2]))
        else:
            rows = block[1]
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            table.style = table_style
            for row, values in zip(table.rows, rows, strict=False):
                for cell, value in zip(row.cells, values, strict=False):
                    cell.text = value
    document.save(str(target))
    return time.perf_counter() - start


def page_count(report: Path) -> int | None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", folder, str(report)],
                       check=True, capture_output=True, timeout=600)
        pdf = Path(folder) / (report.stem + ".pdf")
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        for line in info.stdout.splitlines():
            if line.startswith("Pages:"):
                return int(line.split()[1])
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=300)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--keep", type=Path, help="folder to keep the .docx files in")
    parser.add_argument("--no-pages", action="store_true", help="skip the LibreOffice page count")
    args = parser.parse_args()

    from neascn_desktop.reports import synthetic
    from neascn_desktop.reports.readiness import build_readiness_report

    folder = args.keep or Path(tempfile.mkdtemp(prefix="neascn-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    data = synthetic.readiness_data(cities=args.cities, language=args.lang)
    report = folder / f"readiness-{args.cities}-{args.lang}.docx"

    start = time.perf_counter()
    result = build_readiness_report(data, report)
    ours = time.perf_counter() - start
    baseline = plain_python_docx(report, folder / "plain-python-docx.docx")
    pages = None if args.no_pages else page_count(report)

    ratio = ours / baseline
    print(f"cities:                 {args.cities}")
    print(f"readiness report:       {ours:.2f} s  ({result.tables} tables, {result.figures} figures, "
          f"{report.stat().st_size / 1e6:.1f} MB)")
    print(f"python-docx alone:      {baseline:.2f} s  (same paragraphs, tables, pictures)")
    print(f"ratio:                  {ratio:.2f}x  (budget < {BUDGET_RATIO:.0f}x)")
    print(f"pages:                  {pages if pages is not None else 'n/a (no LibreOffice)'}")
    ok = ours < BUDGET_SECONDS and ratio < BUDGET_RATIO
    print("within budget" if ok else "OVER BUDGET")
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
