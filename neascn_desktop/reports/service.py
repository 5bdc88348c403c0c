"""The reports room's use cases: build one report from the database (CLI and GUI call this).

``build_report(db, kind, path, language=...)`` collects the values
(``collect.py``) and runs the builder of ``kind``; ``progress(done, total,
message)`` and ``is_cancelled()`` follow the GUI worker's contract.  Reports
write files, not data, so nothing returns ``Changes``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neascn_desktop.i18n import _, normalize_language
from neascn_desktop.reports.errors import ReportError

if TYPE_CHECKING:
    from neascn_desktop.reports.document import ReportResult

KINDS = ("readiness", "framework", "status")


def build_report(
    db: Any,
    kind: str,
    path: Path,
    *,
    language: str = "en",
    city_ids: Sequence[str] | None = None,
    form_version: str | None = None,
    form_id: str | None = None,
    clean: bool = False,
    progress: Callable[..., None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> ReportResult:
    from neascn_desktop.reports import collect

    language = normalize_language(language)
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".docx", ".pdf"):
        raise ReportError(_("A report is a Word or PDF file: give a name ending in .docx or .pdf."))
    if suffix == ".pdf":
        return _build_pdf(db, kind, path, language=language, city_ids=city_ids,
                          form_version=form_version, form_id=form_id, clean=clean,
                          progress=progress, is_cancelled=is_cancelled)
    if progress is not None:
        progress(0, 0, _("Collecting the data…"))
    if kind == "readiness":
        from neascn_desktop.reports.readiness import build_readiness_report

        data = collect.collect_readiness(db, language, city_ids, form_version, form_id)
        return build_readiness_report(data, path, progress=progress, is_cancelled=is_cancelled)
    if kind == "framework":
        from neascn_desktop.reports.framework_report import build_framework_report

        framework = collect.collect_framework(db, language)
        if not framework.sections:
            raise ReportError(_("There is no framework document yet."))
        return build_framework_report(framework, path, clean=clean, progress=progress,
                                      is_cancelled=is_cancelled)
    if kind == "status":
        from neascn_desktop.reports.status_report import build_status_report

        status = collect.collect_status(db, language, form_version, city_ids, form_id)
        return build_status_report(status, path, progress=progress, is_cancelled=is_cancelled)
    raise ReportError(_("Unknown report {kind}; choose readiness, framework or status.").format(
        kind=kind))


def _build_pdf(db: Any, kind: str, path: Path, **options: Any) -> ReportResult:
    """The Word report in a scratch folder, then LibreOffice turns it into ``path``."""
    import tempfile
    from dataclasses import replace

    from neascn_desktop.reports.pdf import export_pdf, require_soffice

    require_soffice()  # before the work, not after it
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ReportError(_("The folder {path} does not exist.").format(path=folder))
    progress = options.get("progress")
    with tempfile.TemporaryDirectory(prefix="neascn-report-") as work:
        result = build_report(db, kind, Path(work) / f"{path.stem}.docx", **options)
        if progress is not None:
            progress(0, 0, _("Converting to PDF…"))
        export_pdf(result.path, path)
    return replace(result, path=path)
