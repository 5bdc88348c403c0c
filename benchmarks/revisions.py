"""Benchmark of the revision log: add 200,000 revisions in batches of 200 to an empty SQLite database.

Run: ``/work/venv/bin/python benchmarks/revisions.py [--revisions N] [--batch B] [--order topo|shuffled]``

The histories look like a season of field work: many entities (survey
submissions, framework sections, comments), each edited a few times by
several devices, with some concurrent edits (conflicts) and merges. Revisions
are built (and their ids hashed) lazily between batches, outside the timed
part, which is ``add_revisions`` alone (plus the final commit). By default all
batches go into one transaction, as a package import does (``--transaction
batch``: one transaction per batch).
``--order shuffled`` delivers them in a random order, so many arrive before
their parents and wait in the pending table. Prints revisions per second and
peak memory (the process's maximum resident set size).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from neascn_desktop.replica import add_revisions, counts, digest, make_revision
from neascn_desktop.replica.revision import Revision
from neascn_desktop.store import Database, open_database

ENTITY_TYPES = ("survey_submission", "framework_section", "comment")
DEVICES = tuple(str(uuid.UUID(int=random.Random(i).getrandbits(128))) for i in range(6))


def iter_histories(total: int, seed: int = 7, active: int = 200) -> Iterator[Revision]:
    """``total`` revisions in parents-first order, built lazily.

    ``active`` entities are being edited at any time (a revision goes to one
    of them at random), so an entity's revisions are spread over several
    batches as in a real package; each entity gets 2 to 8 edits, and one edit
    in ten is a pair of concurrent edits on two devices (a conflict).
    """
    rng = random.Random(seed)
    wall = 1_780_000_000_000
    pool: list[list] = []  # [entity_type, entity_id, edits left, heads]
    produced = 0
    while produced < total:
        while len(pool) < active:
            entity_id = str(uuid.UUID(int=rng.getrandbits(128)))
            pool.append([rng.choice(ENTITY_TYPES), entity_id, rng.randint(2, 8), []])
        slot = rng.randrange(len(pool))
        entity_type, entity_id, left, heads = pool[slot]
        wall += rng.randint(0, 3)
        clock = f"{wall:013d}-{0:06d}"
        device = rng.choice(DEVICES)
        payload = {
            "title": f"Item {produced}",
            "status": rng.choice(["draft", "final", "review"]),
            "score": rng.randint(0, 100),
            "answers": {f"q{i}": rng.randint(0, 5) for i in range(6)},
            "note": "서울 · 北京 · Улаанбаатар" if produced % 3 == 0 else "",
        }
        parents = [h.id for h in heads]
        if heads and rng.random() < 0.1 and produced + 1 < total:
            # a concurrent edit on another device: two children of the same heads
            other = make_revision(
                entity_type, entity_id, parents, rng.choice(DEVICES), clock,
                {**payload, "status": "conflicting"},
            )
            sibling = make_revision(entity_type, entity_id, parents, device, clock, payload)
            yield other
            yield sibling
            produced += 2
            new_heads = [other, sibling]
        else:
            rev = make_revision(entity_type, entity_id, parents, device, clock, payload)
            yield rev
            produced += 1
            new_heads = [rev]
        if left <= 1:
            pool[slot] = pool[-1]
            pool.pop()
        else:
            pool[slot] = [entity_type, entity_id, left - 1, new_heads]


def _batches(revisions: Iterable[Revision], size: int) -> Iterator[list[Revision]]:
    batch: list[Revision] = []
    for rev in revisions:
        batch.append(rev)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _set_cache(db: Database, mib: int) -> None:
    # An experiment, not the app's setting: new connections get a bigger page cache.
    db.engine.dispose()

    @event.listens_for(db.engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA cache_size = -{mib * 1024}")
        cursor.close()


def calibration() -> float:
    """Seconds of CPU for a fixed piece of SQLite work (40,000 rows with a hash key in memory).

    This shared virtual machine's speed changes by a third or more from one
    minute to the next, so every run prints this figure beside its own:
    compare runs by it.
    """
    import hashlib
    import sqlite3

    keys = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(40_000)]
    conn = sqlite3.connect(":memory:")
    cpu0 = time.process_time()
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID")
    conn.executemany("INSERT INTO t VALUES (?, ?)", [(k, k * 4) for k in keys])
    conn.executemany("UPDATE t SET v = ? WHERE id = ?", [(k, k) for k in keys])
    spent = time.process_time() - cpu0
    conn.close()
    return spent


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
    parser.add_argument(
        "--cache-mib",
        type=int,
        default=0,
        help="set SQLite's page cache to this many MiB (0: the store's default, 64 MiB)",
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also trace Python allocations (slows the run down about twofold)",
    )
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)

    if args.order == "shuffled":
        # all in memory, then shuffled: most revisions arrive before their parents
        source: Iterable[Revision] = list(iter_histories(args.revisions))
        random.Random(11).shuffle(source)  # type: ignore[arg-type]
    else:
        source = iter_histories(args.revisions)

    elapsed = cpu = 0.0
    count = 0

    def timed_add(target: Database | Session, batch: list[Revision]) -> None:
        nonlocal elapsed, cpu, count
        wall0, cpu0 = time.perf_counter(), time.process_time()
        add_revisions(target, batch, provenance="bench")
        elapsed += time.perf_counter() - wall0
        cpu += time.process_time() - cpu0
        count += len(batch)

    load = os.getloadavg()[0]
    speed_before = calibration()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp)
        db = open_database(data_dir)
        if args.cache_mib:
            _set_cache(db, args.cache_mib)
        if args.tracemalloc:
            tracemalloc.start()
        if args.transaction == "import":
            with db.transaction() as session:
                for batch in _batches(source, args.batch):
                    timed_add(session, batch)
                wall0 = time.perf_counter()
            elapsed += time.perf_counter() - wall0  # the commit is part of the import
        else:
            for batch in _batches(source, args.batch):
                timed_add(db, batch)
        peak_traced = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
        tracemalloc.stop()
        figures = counts(db)
        t1 = time.perf_counter()
        final_digest = digest(db)
        digest_s = time.perf_counter() - t1
        db.dispose()

    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    rate = count / elapsed
    print(
        f"revisions:        {count:,} in batches of {args.batch} "
        f"({args.order} order, transaction per {args.transaction}"
        + (f", page cache {args.cache_mib} MiB)" if args.cache_mib else ")")
    )
    print(f"added in:         {elapsed:.2f} s wall, {cpu:.2f} s CPU (load average {load:.1f})")
    print(f"throughput:       {rate:,.0f} revisions/s")
    traced = (
        f", {peak_traced / 2**20:.1f} MiB traced by tracemalloc during the adds"
        if peak_traced is not None
        else ""
    )
    print(f"peak memory:      {peak_kib / 1024:.0f} MiB max RSS of the process{traced}")
    print(f"stored:           {figures['revisions']:,} revisions, {figures['pending']} pending, "
          f"{sum(figures['entities'].values()):,} entities, {figures['conflicts']:,} in conflict")
    print(f"digest:           {final_digest[:16]}… in {digest_s:.2f} s")
    print(f"machine speed:    calibration {speed_before:.2f} s CPU before, {calibration():.2f} s after "
          "(lower is a faster machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
