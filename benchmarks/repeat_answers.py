"""Benchmark: answers inside repeats — 1,000 responses × 20 project instances of the built-in survey.

    python benchmarks/repeat_answers.py [--responses 1000] [--instances 20] [--typed 10] [--data-dir DIR]

On a fresh field device holding version 2026.2 of the built-in survey (the project pipeline,
``docs/answers.md``), prints seconds (and per-item figures) for:

- ``enter``: ``entry.add_instance`` with the instance's answers, one working-copy write each
  (what the form does per instance), for the first ``--typed`` responses, then a save point;
- ``save``: every response's tree as one revision each, committed in batches
  (``replica.add_revisions``, what a save point or an import writes);
- ``check``: the untrusted-input check of every tree (``record_schema.check_answers``, run on
  every imported revision);
- ``finalize``: ``repeat_state.evaluate_tree`` over every response (relevance, required,
  constraints and counts per instance: finalize's check), plus ``service.finalize`` of the
  typed responses;
- ``merge``: a three-way merge per response where two devices each add 3 instances and edit
  5 answers of other instances (``replica.three_way_merge``, the merge of a save point and of
  the conflict view);
- ``export``: a responses package of all of them (``sync.exporter.export_package``).

Nothing is timed against a budget in the tests; this script prints the figures (README,
"Performance").
"""

from __future__ import annotations

import argparse
import copy
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _value(rng: random.Random, definition: Any, question: Any) -> Any:
    kind = question.type
    if kind in ("select_one", "scale", "yes_no"):
        return rng.choice(definition.choices_for(question)).name
    if kind == "select_multiple":
        choices = definition.choices_for(question)
        return sorted({rng.choice(choices).name for _ in range(2)},
                      key=[c.name for c in choices].index)
    if kind == "integer":
        return rng.randint(0, 5_000_000)
    if kind == "decimal":
        return round(rng.uniform(0, 500), 1)
    if kind == "date":
        return f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if kind == "geopoint":
        return f"{rng.uniform(35, 50):.5f} {rng.uniform(100, 140):.5f}"
    if kind == "text":
        return rng.choice(["Bus rapid transit line 2", "스마트 가로등 시범사업", "Планируется расширение",
                           "データ連携基盤", "Ger district heating"])
    return None


def _instance(rng: random.Random, definition: Any, scope: Any, counter: list[int]) -> dict[str, Any]:
    counter[0] += 1
    item: dict[str, Any] = {"@id": str(uuid.UUID(int=rng.getrandbits(128), version=4))}
    for key, q in scope.questions.items():
        if q.type == "attachment":
            continue
        value = _value(rng, definition, q)
        if value is not None:
            item[key] = value
    return item


def build_trees(definition: Any, count: int, instances: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    top = [q for q in definition.questions
           if q.repeat is None and q.type not in ("note", "calculate", "attachment", "metadata")]
    scope = definition.answer_scopes[definition.answer_scopes[""].repeats["projects"].path]
    counter = [0]
    trees = []
    for _ in range(count):
        answers = {q.key: v for q in top if rng.random() < 0.9 and (v := _value(rng, definition, q)) is not None}
        answers["projects"] = [_instance(rng, definition, scope, counter) for _ in range(instances)]
        trees.append(answers)
    return trees


def _payload(definition: Any, city: str, answers: dict[str, Any], device: str) -> dict[str, Any]:
    return {"form_id": definition.form_id, "form_version": definition.version, "city_id": city,
            "status": "in_progress", "answers": answers, "attachments": {}, "enumerator": "Bench",
            "device_id": device, "started_at": "2026-05-01T09:00:00+00:00",
            "updated_at": "2026-05-01T11:00:00+00:00", "finalized_at": None, "language": "en"}


def _edited(rng: random.Random, definition: Any, scope: Any, answers: dict[str, Any],
            counter: list[int]) -> dict[str, Any]:
    """One device's edits: 3 new instances, 5 answers changed in existing ones."""
    result = copy.deepcopy(answers)
    projects = result["projects"]
    keys = [k for k, q in scope.questions.items() if q.type in ("text", "decimal")]
    for _ in range(5):
        target = rng.choice(projects)
        key = rng.choice(keys)
        target[key] = _value(rng, definition, scope.questions[key])
    for _ in range(3):
        projects.append(_instance(rng, definition, scope, counter))
    return result


def run(data_dir: Path, responses: int, instances: int, typed: int, seed: int) -> dict[str, float]:
    from neascn_desktop import replica
    from neascn_desktop.identity.profile import create_profile
    from neascn_desktop.replica.clock import format_clock
    from neascn_desktop.store import open_database
    from neascn_desktop.surveys import entry, service
    from neascn_desktop.surveys.answer_tree import count_answers
    from neascn_desktop.surveys.repeat_state import evaluate_tree
    from neascn_desktop.sync import record_schema
    from neascn_desktop.sync.exporter import export_package

    db = open_database(data_dir)
    figures: dict[str, float] = {}
    try:
        profile = create_profile(db, name="Bench", role="field", organisation="Bench", language="en")
        definition = service.get_definition(db)
        assert definition.version == "2026.2", definition.version
        cities = [c.id for c in service.list_cities(db)]
        trees = build_trees(definition, responses, instances, seed)
        figures["answers"] = float(sum(count_answers(t) for t in trees))
        scope = definition.answer_scopes[definition.answer_scopes[""].repeats["projects"].path]

        # enter: instance by instance through the entry API, as the form would
        latencies = []
        started = time.perf_counter()
        typed_ids = []
        for index in range(min(typed, responses)):
            sid = service.create_submission(db, profile, cities[index % len(cities)]).submission.id
            typed_ids.append(sid)
            for item in trees[index]["projects"]:
                values = {k: v for k, v in item.items() if k != "@id"}
                t0 = time.perf_counter()
                entry.add_instance(db, sid, "projects", values=values)
                latencies.append(time.perf_counter() - t0)
            top = {k: v for k, v in trees[index].items() if k != "projects"}
            service.autosave(db, sid, top)
            service.save_point(db, profile, sid)
        figures["enter_s"] = time.perf_counter() - started
        figures["enter_median_ms"] = statistics.median(latencies) * 1000 if latencies else 0.0
        figures["enter_max_ms"] = max(latencies) * 1000 if latencies else 0.0

        # save: one revision per response, in batches
        base_ms = 1_780_000_000_000
        revisions = [replica.make_revision(
            "submission", str(uuid.UUID(int=index + 1, version=4)), [], profile.device_id,
            format_clock(base_ms + index, 0),
            _payload(definition, cities[index % len(cities)], tree, profile.device_id))
            for index, tree in enumerate(trees)]
        started = time.perf_counter()
        for start in range(0, len(revisions), 200):
            replica.add_revisions(db, revisions[start:start + 200])
        figures["save_s"] = time.perf_counter() - started

        # check: the untrusted-input check of every tree
        memo: dict[int, dict[str, set[Any]]] = {}
        started = time.perf_counter()
        for tree in trees:
            record_schema.check_answers(tree, definition, memo)
        figures["check_s"] = time.perf_counter() - started

        # finalize: the tree state of every response, and finalize of the typed ones
        started = time.perf_counter()
        issues = 0
        for tree in trees:
            issues += len(evaluate_tree(definition, tree).issues)
        figures["evaluate_s"] = time.perf_counter() - started
        figures["issues"] = float(issues)
        started = time.perf_counter()
        for sid in typed_ids:
            try:
                service.finalize(db, profile, sid)
            except service.FinalizeError:
                pass
        figures["finalize_typed_s"] = time.perf_counter() - started

        # merge: two devices each add 3 instances and edit 5 answers
        rng = random.Random(seed + 1)
        counter = [0]
        pairs = [(tree, _edited(rng, definition, scope, tree, counter),
                  _edited(rng, definition, scope, tree, counter)) for tree in trees]
        started = time.perf_counter()
        conflicts = 0
        for base, ours, theirs in pairs:
            result = replica.three_way_merge({"answers": base}, {"answers": ours}, {"answers": theirs},
                                             nested=("answers", "attachments"))
            conflicts += len(result.conflicting_fields)
            assert len(result.merged["answers"]["projects"]) == instances + 6
        figures["merge_s"] = time.perf_counter() - started
        figures["merge_conflicts"] = float(conflicts)

        # export: a responses package of everything
        target = data_dir / "responses.neascn"
        started = time.perf_counter()
        export_package(db, "responses", target)
        figures["export_s"] = time.perf_counter() - started
        figures["export_mb"] = target.stat().st_size / 1e6
    finally:
        db.dispose()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--responses", type=int, default=1000)
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--typed", type=int, default=10, help="responses entered instance by instance")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="neascn-repeats-"))
    try:
        figures = run(folder, args.responses, args.instances, args.typed, args.seed)
    finally:
        if args.data_dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    n, k, typed = args.responses, args.instances, min(args.typed, args.responses)
    print(f"{n} responses × {k} instances, {int(figures['answers']):,} answers")
    print(f"enter    {figures['enter_s']:.2f} s for {typed * k} instances ({typed} responses): "
          f"median {figures['enter_median_ms']:.1f} ms, max {figures['enter_max_ms']:.1f} ms per instance")
    print(f"save     {figures['save_s']:.2f} s ({n / figures['save_s']:.0f} responses/s)")
    print(f"check    {figures['check_s']:.2f} s (untrusted-input check of every tree)")
    print(f"finalize {figures['evaluate_s']:.2f} s to evaluate every tree ({int(figures['issues'])} issues); "
          f"{figures['finalize_typed_s']:.2f} s for {typed} finalizes")
    print(f"merge    {figures['merge_s']:.2f} s for {n} merges ({int(figures['merge_conflicts'])} conflicting fields)")
    print(f"export   {figures['export_s']:.2f} s, responses package {figures['export_mb']:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
