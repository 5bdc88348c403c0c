"""PDF export of a finished Word report through LibreOffice, with the fields brought up to date.

``soffice --convert-to pdf`` alone prints the table of contents as python-docx
wrote it (titles, no page numbers): LibreOffice does not refresh indexes on
load.  So LibreOffice runs a small Basic macro instead, in a private, throw-away
user profile (the user's own LibreOffice settings and any running instance are
left alone): open the document hidden, update every index (the contents) and
every field (SEQ caption numbers, PAGE/NUMPAGES), then store it with the
``writer_pdf_Export`` filter.  Basic is part of every LibreOffice installation,
unlike its Python bridge.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from neascn_desktop.i18n import _
from neascn_desktop.reports.errors import ReportError

#: A converter that has not finished in this time is stuck (a modal dialog, a broken install).
TIMEOUT_S = 300

_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Sub ExportPdf
  Dim load(1) As New com.sun.star.beans.PropertyValue
  load(0).Name = "Hidden" : load(0).Value = True
  load(1).Name = "UpdateDocMode" : load(1).Value = 3
  doc = StarDesktop.loadComponentFromURL("{source}", "_blank", 0, load())
  doc.getTextFields().refresh()
  indexes = doc.getDocumentIndexes()
  For i = 0 To indexes.getCount() - 1
    indexes.getByIndex(i).update()
  Next
  doc.getTextFields().refresh()
  Dim store(0) As New com.sun.star.beans.PropertyValue
  store(0).Name = "FilterName" : store(0).Value = "writer_pdf_Export"
  doc.storeToURL("{target}", store())
  doc.close(True)
  StarDesktop.terminate()
End Sub
</script:module>
"""
def find_soffice() -> Path | None:
    """LibreOffice's ``soffice`` on the PATH or in its usual install folders, else None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    candidates: list[Path] = []
    if sys.platform == "win32":
        for base in (os.environ.get("PROGRAMFILES"), os.environ.get("PROGRAMFILES(X86)")):
            if base:
                candidates.append(Path(base) / "LibreOffice" / "program" / "soffice.exe")
    elif sys.platform == "darwin":
        candidates.append(Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"))
    return next((c for c in candidates if c.is_file()), None)


def pdf_available() -> bool:
    return find_soffice() is not None


def require_soffice() -> Path:
    """``soffice``, or the sentence that tells the user what to install."""
    soffice = find_soffice()
    if soffice is None:
        raise ReportError(_(
            "PDF export needs LibreOffice, which is not installed on this computer. Install it "
            "(libreoffice.org), or save the report as a Word file and export it to PDF in Word."))
    return soffice


def _basic_string(url: str) -> str:
    return url.replace('"', '""')


def export_pdf(docx: Path, pdf: Path) -> Path:
    """Write ``pdf`` from the Word file ``docx`` with the contents and fields updated."""
    soffice = require_soffice()
    pdf = Path(pdf)
    with tempfile.TemporaryDirectory(prefix="neascn-pdf-") as work:
        profile = Path(work) / "profile"
        target = Path(work) / "out.pdf"
        base = [str(soffice), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                "--invisible", "--nologo", "--norestore", "--nolockcheck"]
        # A new profile gets LibreOffice's default macro library on its first start, over
        # anything put there before: start it once, then put the macro in its place.
        _run(base + ["--terminate_after_init"])
        module = profile / "user" / "basic" / "Standard" / "Module1.xba"
        if not module.is_file():
            raise ReportError(_("LibreOffice could not convert the report to PDF: {reason}").format(
                reason=_("it wrote no file")))
        module.write_text(_MACRO.format(
            source=_basic_string(Path(docx).resolve().as_uri()),
            target=_basic_string(target.as_uri())), encoding="utf-8")
        _run(base + ["macro:///Standard.Module1.ExportPdf"])
        if not target.is_file() or target.stat().st_size == 0:
            raise ReportError(_("LibreOffice could not convert the report to PDF: {reason}").format(
                reason=_("it wrote no file")))
        try:
            shutil.copyfile(target, pdf)
        except OSError as exc:
            raise ReportError(_("Could not write the report to {path}: {reason}").format(
                path=pdf, reason=exc.strerror or exc)) from exc
    return pdf


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False,
                       stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReportError(_("LibreOffice could not convert the report to PDF: {reason}").format(
            reason=exc)) from exc
