"""Benchmark: the expression engine — parsing, flat evaluation, aggregates over repeats.

    python benchmarks/expressions.py [--instances 1000] [--rounds 5]

Prints, medians of ``--rounds``:

* **parse**: every expression of the built-in survey, parsed with the cache cleared
  (expressions per second);
* **flat**: ``evaluate_form`` of the built-in survey with a full set of answers (forms per
  second) — what the form pages do after every keystroke;
* **library**: the 336 JavaRosa cases of ``tests/surveys/test_expression_library.py``
  (evaluations per second);
* **repeat**: ``sum(${budget})``, ``count(${projects})`` and ``join()`` over N instances from
  outside the repeat, and ``position(..)``/``../budget`` in each of the N instances (ms).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PIPELINE = {
    "format": 2, "form_id": "pipeline", "version": "1", "title": {"en": "Pipeline"},
    "children": [
        {"name": "city", "type": "text", "label": {"en": "City"}},
        {"name": "projects", "type": "repeat", "label": {"en": "Projects"}, "children": [
            {"name": "title", "type": "text", "label": {"en": "Title"}},
            {"name": "budget", "type": "decimal", "label": {"en": "Budget"}},
        ]},
        {"name": "total", "type": "calculate", "calculation": "sum(${budget})",
         "label": {"en": "Total"}},
    ],
}


def _median(rounds: int, work: Callable[[], object]) -> float:
    times = []
    for _round in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    from neascn_desktop.surveys import expressions
    from neascn_desktop.surveys.definition import (
        builtin_definition_path,
        definition_from_dict,
        load_definition,
    )
    from neascn_desktop.surveys.expression_scope import FormScope
    from neascn_desktop.surveys.validation import evaluate_form

    builtin = load_definition(builtin_definition_path())
    texts = [t for q in builtin.questions
             for t in (q.relevant, q.constraint, q.calculation, q.required) if t]
    texts += [s.relevant for s in builtin.sections if s.relevant]

    def parse_all() -> None:
        expressions.parse.cache_clear()
        for text in texts:
            expressions.parse(text)

    seconds = _median(args.rounds, parse_all)
    print(f"parse: {len(texts)} expressions of the built-in survey in {seconds * 1000:.1f} ms "
          f"({len(texts) / seconds:,.0f}/s)")

    answers: dict[str, object] = {}
    for q in builtin.questions:
        choices = builtin.choices_for(q)
        if q.type in ("select_one", "scale", "yes_no") and choices:
            answers[q.name] = choices[-1].name
        elif q.type == "select_multiple" and choices:
            answers[q.name] = [c.name for c in choices[:2]]
        elif q.type in ("integer", "decimal"):
            answers[q.name] = 42
        elif q.type == "date":
            answers[q.name] = "2026-05-01"
        elif q.type == "text":
            answers[q.name] = "someone@example.org"
    forms = 50
    seconds = _median(args.rounds, lambda: [evaluate_form(builtin, answers) for _i in range(forms)])
    print(f"flat: evaluate_form of the built-in survey ({len(builtin.questions)} questions, "
          f"{len(texts)} expressions): {seconds / forms * 1000:.2f} ms per form")

    test_file = Path(__file__).resolve().parents[1] / "tests" / "surveys" / \
        "test_expression_library.py"
    cases: list[str] = []
    if test_file.is_file():
        import ast
        tree = ast.parse(test_file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "JAVAROSA_CASES" for t in node.targets):
                assert isinstance(node.value, ast.List)
                for element in node.value.elts:
                    assert isinstance(element, ast.Tuple)
                    first = element.elts[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        cases.append(first.value)
    parsed = []
    for text in cases:
        try:
            parsed.append(expressions.parse(text))
        except expressions.ExpressionError:
            pass

    def run_cases() -> None:
        for node in parsed:
            try:
                expressions.evaluate(node, {})
            except expressions.ExpressionError:
                pass

    seconds = _median(args.rounds, run_cases)
    print(f"library: {len(parsed)} JavaRosa cases in {seconds * 1000:.1f} ms "
          f"({len(parsed) / seconds:,.0f} evaluations/s)")

    pipeline = definition_from_dict(PIPELINE)
    n = args.instances
    tree = {"city": "Ulaanbaatar", "projects": [
        {"@id": f"id-{i}", "title": f"Project {i}", "budget": float(i)} for i in range(n)]}
    outside = FormScope(pipeline, tree, own="total")
    aggregates = [expressions.parse(t) for t in (
        "sum(${budget})", "count(${projects})", "join(', ', ${title})", "max(${budget})")]

    def aggregate() -> None:
        for node in aggregates:
            expressions.evaluate(node, outside)

    seconds = _median(args.rounds, aggregate)
    total = expressions.evaluate("sum(${budget})", outside)
    print(f"repeat: sum, count, join and max over {n:,} instances in {seconds * 1000:.1f} ms "
          f"(sum = {total:,.0f})")
    inside = [expressions.parse(t) for t in ("position(..)", "../budget * 2", "${city}")]

    def per_instance() -> None:
        for i in range(n):
            scope = FormScope(pipeline, tree, where=(("projects", i),), own="budget")
            for node in inside:
                expressions.evaluate(node, scope)

    seconds = _median(args.rounds, per_instance)
    print(f"repeat: position(..), ../budget and ${{city}} in each of {n:,} instances in "
          f"{seconds * 1000:.1f} ms ({seconds / n * 1e6:.1f} µs per instance)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
