"""Made-up answers for any survey definition, relevance respected (for the benchmarks).

``generate(definition, rng)`` walks the form in order: a question is answered only when it
and every group around it is relevant given the answers so far (evaluated by the expression
engine in the question's repeat instance), each value is checked by ``normalize_answer`` and
by the question's constraint (three tries, else left unanswered), and each relevant repeat
gets 1–3 instances (its ``repeat_count`` when that evaluates to a number) with fresh ids.
Attachments are left out (they need files).
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Mapping
from typing import Any

_SKIPPED = frozenset({"note", "calculate", "metadata", "hidden", "attachment"})
_WORDS = ("Ulaanbaatar", "스마트시티", "智慧城市", "データ連携", "Владивосток", "pilot", "grid")


def _enclosing_relevance(definition: Any) -> dict[int, tuple[str, ...]]:
    """id(node) -> the relevant expressions of the non-repeat groups around it (inside its
    innermost repeat)."""
    found: dict[int, tuple[str, ...]] = {}

    def visit(nodes: Any, around: tuple[str, ...]) -> None:
        for node in nodes:
            found[id(node)] = around
            if hasattr(node, "children"):
                inner = () if node.kind == "repeat" else around + (
                    (node.relevant,) if node.relevant else ())
                visit(node.children, inner)

    visit(definition.children, ())
    return found


def _sample(rng: random.Random, definition: Any, q: Any) -> Any:
    kind = q.type
    choices = definition.choices_for(q)
    if kind in ("select_one", "yes_no", "scale"):
        return rng.choice(choices).name if choices else rng.choice(_WORDS)
    if kind == "select_multiple":
        if not choices:
            return [rng.choice(("a", "b"))]
        return [c.name for c in choices if rng.random() < 0.4] or [choices[0].name]
    if kind == "rank":
        names = [c.name for c in choices]
        rng.shuffle(names)
        return names or None
    if kind == "integer":
        return rng.randint(0, 120)
    if kind == "decimal":
        return round(rng.uniform(0, 1000), 2)
    if kind == "range":
        bounds = dict(p.split("=", 1) for p in q.extra.get("parameters", "").split() if "=" in p)
        try:
            start, end = float(bounds.get("start", 1)), float(bounds.get("end", 10))
        except ValueError:
            return None
        return int(min(start, end)) if math.isfinite(start) else None
    if kind == "date":
        return f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if kind == "time":
        return f"{rng.randint(7, 18):02d}:{rng.randint(0, 59):02d}"
    if kind == "datetime":
        return f"2026-05-{rng.randint(1, 28):02d}T{rng.randint(7, 18):02d}:15:00"
    if kind == "geopoint":
        return f"{rng.uniform(35, 50):.6f} {rng.uniform(100, 140):.6f} 1200 5"
    if kind in ("geotrace", "geoshape"):
        lat, lon = rng.uniform(35, 50), rng.uniform(100, 140)
        points = [(lat, lon), (lat + 0.01, lon), (lat + 0.01, lon + 0.01)]
        if kind == "geoshape":
            points.append((lat, lon))
        return "; ".join(f"{a:.6f} {b:.6f} 0 0" for a, b in points)
    if kind == "acknowledge":
        return "OK"
    if kind in ("text", "barcode"):
        return f"{rng.choice(_WORDS)} {rng.randint(1, 99)}"
    return None


def generate(definition: Any, rng: random.Random) -> dict[str, Any]:
    """One response's answer tree (``docs/answers.md``)."""
    from neascn_desktop.surveys import expressions
    from neascn_desktop.surveys.expression_scope import FormScope
    from neascn_desktop.surveys.validation import AnswerError, normalize_answer

    scopes = definition.answer_scopes
    around = _enclosing_relevance(definition)
    answers: dict[str, Any] = {}

    def holds(texts: Any, where: tuple[tuple[str, int], ...], own: str | None,
              current: Any = None) -> bool:
        for text in texts:
            try:
                scope = FormScope(definition, answers, where=where, own=own, current=current)
                if not expressions.evaluate_boolean(text, scope):
                    return False
            except expressions.ExpressionError:
                continue  # what the form pages do: an expression that fails shows the question
        return True

    def fill(path: str, container: dict[str, Any], where: tuple[tuple[str, int], ...]) -> None:
        scope = scopes[path]
        for key, q in scope.questions.items():
            if q.type in _SKIPPED:
                continue
            if not holds((*around.get(id(q), ()), *((q.relevant,) if q.relevant else ())),
                         where, q.key or q.name):
                continue
            for _try in range(3):
                value = _sample(rng, definition, q)
                if value is None:
                    break
                try:
                    value = normalize_answer(definition, q, value)
                except AnswerError:
                    continue
                if value is None:
                    break
                if q.constraint and not holds((q.constraint,), where, q.key or q.name, value):
                    continue
                container[key] = value
                break
        for key, repeat in scope.repeats.items():
            if not holds((*around.get(id(repeat), ()),
                          *((repeat.relevant,) if repeat.relevant else ())), where, None):
                continue
            count = rng.randint(1, 3)
            wanted = repeat.extra.get("repeat_count")
            if wanted:
                try:
                    number = expressions.to_number(expressions.evaluate(
                        wanted, FormScope(definition, answers, where=where)))
                    if math.isfinite(number):
                        count = max(0, min(int(number), 5))
                except expressions.ExpressionError:
                    pass
            instances: list[dict[str, Any]] = []
            container[key] = instances
            for i in range(count):
                instance: dict[str, Any] = {"@id": str(uuid.UUID(int=rng.getrandbits(128),
                                                                 version=4))}
                instances.append(instance)
                fill(repeat.path, instance, (*where, (repeat.path, i)))
            if not instances:
                del container[key]

    fill("", answers, ())
    return answers


def payload(definition: Any, answers: Mapping[str, Any], city_id: str = "") -> dict[str, Any]:
    """A finalized submission payload around ``answers``."""
    return {
        "form_id": definition.form_id, "form_version": definition.version, "city_id": city_id,
        "status": "finalized", "answers": dict(answers), "attachments": {},
        "enumerator": "Bench", "device_id": "bench-device",
        "started_at": "2026-05-01T09:00:00+00:00", "updated_at": "2026-05-01T11:00:00+00:00",
        "finalized_at": "2026-05-01T11:00:00+00:00", "language": "en",
    }
