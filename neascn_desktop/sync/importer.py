"""Importing packages: verify → preview → apply in one transaction → audit.

``import_packages`` is the one use case behind ``neascn package import`` and
the Inbox workspace.  Per file: the container is verified completely (see
``container.open_package``); a package already applied is a no-op that says
so; a package that cannot be decrypted here or whose payload is malformed is
refused; a package from a sender that is not trusted (or revoked, or with a
changed key) is copied to ``<data dir>/inbox/`` and waits; anything else is
previewed and applied — revisions, provenance, package record, audit row and
the trust changes of a deployment — in one transaction.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select

from neascn_desktop.i18n import _
from neascn_desktop.store import attachments
from neascn_desktop.store.database import Database
from neascn_desktop.sync import parking
from neascn_desktop.sync.applying import (
    _apply_batch,
    _decide,
    _read,
    _Run,
    _Stager,
    known_file,
    package_key,
)
from neascn_desktop.sync.container import (
    DEFAULT_LIMITS,
    Limits,
)
from neascn_desktop.sync.errors import PackageStateError
from neascn_desktop.sync.import_preview import (
    compute_preview,
)
from neascn_desktop.sync.import_results import (
    ALREADY,
    APPLIED,
    INBOX_DIR,
    REFUSED,
    WAITING,
    WOULD_APPLY,
    Cancel,
    ImportReport,
    PackageOutcome,
    PackagePreview,
    Progress,
    TypeCounts,
)
from neascn_desktop.sync.reading import (
    Prepared,
    expand_paths,
    prepare,
)
from neascn_desktop.sync.tables import inbox_table
from neascn_desktop.sync.verify import (
    PackageVerdict,
)

#: The importer's public names, wherever they are defined (results, preview and applying are
#: modules of their own; callers import them from here).
__all__ = [
    "ALREADY", "APPLIED", "BATCH_BYTES", "BATCH_PACKAGES", "INBOX_DIR", "REFUSED", "WAITING", "WOULD_APPLY",
    "Cancel", "ImportReport", "PackageOutcome", "PackagePreview", "Progress", "TypeCounts",
    "compute_preview", "expand_paths", "import_one", "import_packages", "new_run", "package_key",
    "preview_import", "stored_inbox_path",
]

# --- the use cases ------------------------------------------------------------------------------

#: A batch is applied in one transaction when it reaches this many packages or bytes.
BATCH_PACKAGES = 200
BATCH_BYTES = 64 * 1024 * 1024


def import_one(run: _Run, path: Path, *, dry_run: bool = False, force_trust: str | None = None,
               from_inbox: bool = False) -> PackageOutcome:
    """Verify, judge, preview and (unless ``dry_run``) apply or hold one package file."""
    prepared = prepare(Path(path), run.limits, run.keys)
    outcome, verdict = _decide(run, prepared, dry_run=dry_run, force_trust=force_trust)
    if outcome is not None:
        return outcome
    assert verdict is not None
    return _apply_batch(run, [(prepared, verdict)], from_inbox=from_inbox)[0]


def import_packages(
    db: Database,
    paths: Iterable[Path],
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    *,
    dry_run: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    inbox_limits: parking.InboxLimits = parking.DEFAULT_INBOX_LIMITS,
) -> ImportReport:
    """Import package files and folders of package files; see the module docstring.

    Packages are verified one by one and applied in batches (one transaction and
    one ``add_revisions`` call per batch; if the revision log refuses a batch, its
    packages are applied one by one so only the faulty one is refused); a
    deployment is applied on its own because it may change whom the following
    packages come from. New attachments are written by a background thread while
    the next packages are read (see ``_Stager``).
    """
    files = expand_paths(paths)
    run = _Run(db, limits, inbox_limits)
    results: list[PackageOutcome | None] = [None] * len(files)
    batch: list[tuple[int, Prepared, PackageVerdict]] = []
    batch_bytes = 0
    cancelled = False

    stager = _Stager(db.attachments_dir()) if not dry_run else None
    if stager is not None:
        attachments.sweep_temporary(stager.folder)

    def flush() -> None:
        nonlocal batch, batch_bytes
        if batch:
            staged = stager.take(run) if stager is not None else None
            outcomes = _apply_batch(run, [(p, v) for _i, p, v in batch], staged=staged)
            for (index, _p, _v), outcome in zip(batch, outcomes, strict=True):
                results[index] = outcome
        batch, batch_bytes = [], 0
        if not gc.isenabled():
            gc.collect(0)  # what the batch left in reference cycles (the CLI paused the collector)

    # The CLI pauses the cyclic collector around this call (cli.package); the GUI must not.
    try:
        for index, path in enumerate(files):
            if cancel is not None and cancel():
                cancelled = True
                break
            if progress is not None:
                progress(index, len(files), _("Importing {name}…").format(name=path.name))
            known = known_file(run, path)  # a copy of a file applied before: nothing to read
            if known is not None:
                results[index] = known
                continue
            prepared = _read(run, path, dry_run)
            outcome, verdict = _decide(run, prepared, dry_run=dry_run)
            if outcome is not None:
                results[index] = outcome
                continue
            assert verdict is not None and prepared.manifest is not None
            if prepared.manifest.kind == "deployment":
                flush()
                results[index] = _apply_batch(run, [(prepared, verdict)])[0]
                continue
            run.in_flight[package_key(prepared.manifest)] = prepared.manifest.digest
            batch.append((index, prepared, verdict))
            batch_bytes += prepared.size
            if stager is not None:
                stager.add(prepared)
            if len(batch) >= BATCH_PACKAGES or batch_bytes >= BATCH_BYTES:
                flush()
        flush()
    finally:
        if stager is not None:
            stager.close()
    if progress is not None and not cancelled:
        progress(len(files), len(files), _("Done."))
    return ImportReport(tuple(o for o in results if o is not None), cancelled=cancelled, dry_run=dry_run)


def preview_import(db: Database, path: Path, *, limits: Limits = DEFAULT_LIMITS) -> PackageOutcome:
    """What importing one file would do (nothing is written)."""
    return import_one(_Run(db, limits), Path(path), dry_run=True)


def new_run(db: Database, limits: Limits = DEFAULT_LIMITS) -> _Run:
    return _Run(db, limits)


def stored_inbox_path(db: Database, package_id: str) -> Path:
    with db.connect() as conn:
        row = conn.execute(select(inbox_table.c.stored_file).where(inbox_table.c.package_id == package_id)).first()
        if row is None:
            raise PackageStateError(_("No package with the id {id} is in the inbox.").format(id=package_id))
        return db.data_dir / row.stored_file
