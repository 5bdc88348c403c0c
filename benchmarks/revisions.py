"""Benchmark of the revision log: add 200,000 revisions in batches of 200 to an empty SQLite database.

Run: ``/work/venv/bin/python benchmarks/revisions.py [--revisions N] [--batch B] [--order topo|shuffled]``

The histories look like a season of field work: many entities (survey
submissions, framework sections, comments), each edited a few times by
several devices, with some concurrent edits (conflicts) and merges. Revisions
are built (and their ids hashed) before the clock starts; the timed part is
``add_revisions`` alone, each batch in its own transaction, as an import does.
``--order shuffled`` delivers them in a random order, so many arrive before
their parents and wait in the pending table. Prints revisions per second and
peak memory (the process's maximum resident set size).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

from neascn_desktop.replica import add_revisions, counts, digest, make_revision
from neascn_desktop.replica.revision import Revision
from neascn_desktop.store import open_database

ENTITY_TYPES = ("survey_submission", "framework_section", "comment")
DEVICES = tuple(str(uuid.UUID(int=random.Random(i).getrandbits(128))) for i in range(6))


def build_histories(total: int, seed: int = 7) -> list[Revision]:
    """About ``total`` revisions in parents-first order (ids computed here, untimed)."""
    rng = random.Random(seed)
    out: list[Revision] = []
    wall = 1_780_000_000_000
    while len(out) < total:
        entity_id = str(uuid.UUID(int=rng.getrandbits(128)))
        entity_type = rng.choice(ENTITY_TYPES)
        edits = rng.randint(2, 8)
        heads: list[Revision] = []
        for step in range(edits):
            if len(out) >= total:
                break
            wall += rng.randint(1, 50)
            device = rng.choice(DEVICES)
            payload = {
                "title": f"Item {len(out)}",
                "status": rng.choice(["draft", "final", "review"]),
                "score": rng.randint(0, 100),
                "answers": {f"q{i}": rng.randint(0, 5) for i in range(6)},
                "note": "서울 · 北京 · Улаанбаатар" if step % 3 == 0 else "",
            }
            clock = f"{wall:013d}-{0:06d}"
            if heads and rng.random() < 0.1 and len(out) + 1 < total:
                # a concurrent edit on another device: two children of the same head
                other = make_revision(
                    entity_type, entity_id, [h.id for h in heads], rng.choice(DEVICES), clock,
                    {**payload, "status": "conflicting"},
                )
                out.append(other)
                sibling = make_revision(
                    entity_type, entity_id, [h.id for h in heads], device, clock, payload
                )
                out.append(sibling)
                heads = [other, sibling]
                continue
            rev = make_revision(entity_type, entity_id, [h.id for h in heads], device, clock, payload)
            out.append(rev)
            heads = [rev]
    return out[:total]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--order", choices=("topo", "shuffled"), default="topo")
    parser.add_argument(
        "--transaction",
        choices=("import", "batch"),
        default="import",
        help="import: one transaction for all batches (a package import); batch: one per batch",
    )
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    revisions = build_histories(args.revisions)
    if args.order == "shuffled":
        random.Random(11).shuffle(revisions)
    built = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp)
        db = open_database(data_dir)
        t0 = time.perf_counter()
        if args.transaction == "import":
            with db.transaction() as session:
                for start in range(0, len(revisions), args.batch):
                    add_revisions(session, revisions[start : start + args.batch], provenance="bench")
        else:
            for start in range(0, len(revisions), args.batch):
                add_revisions(db, revisions[start : start + args.batch], provenance="bench")
        elapsed = time.perf_counter() - t0
        figures = counts(db)
        t1 = time.perf_counter()
        final_digest = digest(db)
        digest_s = time.perf_counter() - t1
        db.dispose()

    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    rate = len(revisions) / elapsed
    print(
        f"revisions:        {len(revisions):,} in batches of {args.batch} "
        f"({args.order} order, transaction per {args.transaction})"
    )
    print(f"built (untimed):  {built:.2f} s ({len(revisions) / built:,.0f} revisions/s incl. hashing)")
    print(f"added in:         {elapsed:.2f} s")
    print(f"throughput:       {rate:,.0f} revisions/s")
    print(f"peak memory:      {peak_kib / 1024:.0f} MiB (max RSS of the process)")
    print(f"stored:           {figures['revisions']:,} revisions, {figures['pending']} pending, "
          f"{sum(figures['entities'].values()):,} entities, {figures['conflicts']:,} in conflict")
    print(f"digest:           {final_digest[:16]}… in {digest_s:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
