"""Time undoing a large import, and undoing that undo (issue 16).

    python benchmarks/undo_import.py [--records 5000] [--edits 2]

A secretariat profile in a temporary folder holds ``--records`` responses imported from one
package (each with ``--edits`` revisions, so a package of records x edits revisions); the
script times ``sync.undo.undo_package`` (withdraw every revision of the package: one
restoring revision per record) and ``undo_undo`` (bring them back), and prints the figures.
No budget is enforced; the figures go into the report.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from neascn_desktop import replica
from neascn_desktop.identity.profile import create_profile
from neascn_desktop.replica.clock import format_clock
from neascn_desktop.store import open_database
from neascn_desktop.sync import undo
from neascn_desktop.sync.tables import package_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--edits", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "sec")
        create_profile(db, name="Secretariat", role="secretariat", organisation="Bench", language="en")
        device = "field-" + uuid.uuid4().hex[:8]
        revisions = []
        wall = 1_780_000_000_000
        for n in range(args.records):
            entity = str(uuid.uuid4())
            parents: list[str] = []
            for edit in range(args.edits):
                payload = {"form_id": "neascn_readiness", "form_version": "2026.1", "city_id": "seoul",
                           "status": "in_progress", "answers": {"resp_name": f"R{n}-{edit}"},
                           "enumerator": "Bench", "device_id": device}
                rev = replica.make_revision("submission", entity, parents, device, format_clock(wall + n, edit),
                                            payload)
                revisions.append(rev)
                parents = [rev.id]
        package_id = str(uuid.uuid4())
        replica.add_revisions(db, revisions, provenance=package_id)
        with db.writing() as conn:
            conn.execute(insert(package_table).values(
                package_id=package_id, kind="responses", sender_device_id=device, sender_name="Field",
                sender_fingerprint="f" * 64, created_at=datetime.now(UTC).isoformat(), manifest_sha256="0" * 64,
                file_sha256="0" * 64, imported_at=datetime.now(UTC), counts=json.dumps({})))
        started = time.perf_counter()
        result = undo.undo_package(db, package_id)
        undo_s = time.perf_counter() - started
        started = time.perf_counter()
        undo.undo_undo(db, result.undo_id)
        redo_s = time.perf_counter() - started
        db.dispose()
    print(f"package: {len(revisions)} revisions of {args.records} records")
    print(f"undo the import: {undo_s:.2f} s ({len(result.revisions)} restoring revisions)")
    print(f"undo the undo:   {redo_s:.2f} s")


if __name__ == "__main__":
    main()
