"""Benchmark: generated responses of a corpus form exported in every layout, time and memory.

    python benchmarks/export_layouts.py [FORM.xlsx] [--counts 250,1000,4000] [--formats csv,xlsx]

For each count N: a fresh data directory gets the form (imported through pyxform) and N
finalized responses with generated answers (``benchmarks/generated_answers.py``: relevance and
constraints respected, 1–3 instances per repeat; added as revisions in bulk, not timed). Then
``export_responses`` — what ``neascn response export`` runs — writes each layout (flat,
central, kobo) and format; printed: seconds, and the peak of Python's memory during the export
(tracemalloc, a separate run), which stays flat as N grows because responses are streamed from
SQLite and written row by row.  The default form is the largest corpus form with repeats
(``pyxform__UCL_Biomass_Plot_Form.xlsx``: 65 questions, 5 repeats, nested).
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
import uuid
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generated_answers import generate, payload  # noqa: E402
from xlsform_corpus import DEFAULT_DIR  # noqa: E402

DEFAULT_FORM = DEFAULT_DIR / "pyxform__UCL_Biomass_Plot_Form.xlsx"


def _populate(db: Any, definition: Any, count: int, seed: int) -> int:
    from neascn_desktop import replica
    from neascn_desktop.replica.clock import format_clock

    rng = random.Random(seed)
    batch: list[Any] = []
    instances = 0
    for index in range(count):
        answers = generate(definition, rng)
        instances += sum(len(v) for v in answers.values()
                         if isinstance(v, list) and v and isinstance(v[0], dict))
        submission_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        batch.append(replica.make_revision(
            "submission", submission_id, [], "bench-device",
            format_clock(1_780_000_000_000 + index, 0), payload(definition, answers)))
        if len(batch) == 2000:
            replica.add_revisions(db, batch)
            batch = []
    if batch:
        replica.add_revisions(db, batch)
    return instances


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("form", nargs="?", type=Path, default=DEFAULT_FORM)
    parser.add_argument("--counts", default="250,1000,4000")
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args(argv)

    from neascn_desktop.identity.profile import create_profile
    from neascn_desktop.reports.data_export import export_responses
    from neascn_desktop.reports.layout_export import LAYOUTS
    from neascn_desktop.store import open_database
    from neascn_desktop.surveys.installed import install_definition
    from neascn_desktop.surveys.xlsform import import_xlsform

    with redirect_stderr(io.StringIO()):
        definition = import_xlsform(args.form)
    repeats = sum(1 for g in definition.groups if g.kind == "repeat")
    print(f"form: {args.form.name} ({len(definition.questions)} questions, {repeats} repeats)")
    formats = [f for f in args.formats.split(",") if f]
    for count in (int(c) for c in args.counts.split(",") if c):
        folder = Path(tempfile.mkdtemp(prefix="neascn-layout-bench-"))
        db = open_database(folder)
        try:
            profile = create_profile(db, name="Bench", role="secretariat",
                                     organisation="Bench", language="en")
            install_definition(db, profile, definition)
            start = time.perf_counter()
            instances = _populate(db, definition, count, seed=count)
            print(f"\n{count:,} responses, {instances:,} repeat instances (populated in "
                  f"{time.perf_counter() - start:.1f} s, not timed)")
            for layout in LAYOUTS:
                for fmt in formats:
                    target = folder / f"out-{layout}.{'zip' if fmt == 'csv' else fmt}"
                    start = time.perf_counter()
                    result = export_responses(db, target, fmt, form_id=definition.form_id,
                                              layout=layout)
                    seconds = time.perf_counter() - start
                    tracemalloc.start()
                    export_responses(db, target, fmt, form_id=definition.form_id, layout=layout)
                    _current, peak = tracemalloc.get_traced_memory()
                    tracemalloc.stop()
                    size = sum(p.stat().st_size for p in result.files) / 1e6
                    print(f"  {layout:<8} {fmt:<5} {seconds:6.2f} s  {count / seconds:8,.0f} "
                          f"responses/s  peak {peak / 2**20:6.1f} MiB  {len(result.files)} "
                          f"file(s), {size:.1f} MB")
        finally:
            db.dispose()
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
