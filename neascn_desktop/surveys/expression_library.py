"""The ODK function library: every XLSForm function we evaluate, with JavaRosa's semantics.

One table, :data:`LIBRARY`, gives each function its arity and implementation; the parser
accepts exactly these names (plus :data:`REFUSED`, refused with a reason), the evaluator calls
them, and ``docs/expressions.md`` lists them.  Implementations follow
``org.javarosa.xpath.expr.XPathFuncExpr`` (getodk/javarosa); the table-driven test
``tests/surveys/test_expression_library.py`` carries JavaRosa's own expected values.

An implementation takes the evaluation (for the scope: answers, context node, clock) and the
argument *values*; a *lazy* one (``if``, ``coalesce``, ``indexed-repeat``) takes the argument
syntax trees and evaluates what it needs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import random
import re
import secrets
import string
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from neascn_desktop.i18n import N_, _
from neascn_desktop.surveys.expression_values import (
    EvaluationError,
    NodeSet,
    Value,
    XDate,
    decimal_date_time,
    format_date,
    is_null,
    items,
    midnight,
    to_boolean,
    to_date,
    to_double,
    to_int,
    to_number,
    to_string,
    unpack,
)

if TYPE_CHECKING:
    from neascn_desktop.surveys.expression_scope import Scope


class Evaluation:
    """What a function sees: the scope and a way to evaluate a syntax tree (lazy functions)."""

    scope: Scope

    def run(self, node: Any) -> Value:  # pragma: no cover - implemented by the evaluator
        raise NotImplementedError

    def reference_key(self, node: Any) -> str | None:  # pragma: no cover
        raise NotImplementedError


Implementation = Callable[[Evaluation, list[Any]], Value]


@dataclass(frozen=True)
class Function:
    minimum: int
    maximum: int | None
    implementation: Implementation
    lazy: bool = False
    #: Argument counts allowed besides the range (``indexed-repeat``: 3, 5, 7, 9, 11).
    counts: tuple[int, ...] = ()


# --------------------------------------------------------------------------- helpers


def _math(fn: Callable[..., float]) -> Implementation:
    def implementation(ev: Evaluation, args: list[Value]) -> Value:
        try:
            return float(fn(*(to_double(a) for a in args)))
        except (ValueError, OverflowError):
            return math.nan
        except ZeroDivisionError:
            return math.nan
    return implementation


def _java_pow(a: float, b: float) -> float:
    try:
        result = math.pow(a, b)
    except ValueError:
        return math.nan
    except OverflowError:
        return math.inf if a > 0 or float(b).is_integer() and b % 2 == 0 else -math.inf
    return result


def _java_log(x: float) -> float:
    if math.isnan(x) or x < 0:
        return math.nan
    if x == 0:
        return -math.inf
    return math.log(x)


def _java_log10(x: float) -> float:
    if math.isnan(x) or x < 0:
        return math.nan
    if x == 0:
        return -math.inf
    return math.log10(x)


def _java_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _round(ev: Evaluation, args: list[Value]) -> Value:
    """XPath 3.0 / Excel ``round(x, places)``: ties away from zero for positive numbers,
    toward zero for negative ones (JavaRosa's BigDecimal HALF_UP / HALF_DOWN)."""
    number = to_number(args[0])
    places_value = to_number(args[1]) if len(args) > 1 else 0.0
    places = 0 if math.isnan(places_value) else int(max(min(places_value, 2**31 - 1), -(2**31)))
    if math.isnan(number) or math.isinf(number):
        return number
    if places > 30 or places < -30:
        return math.nan
    if places >= 0:
        mode = ROUND_HALF_DOWN if number < 0 else ROUND_HALF_UP
        try:
            return float(Decimal(repr(number)).quantize(Decimal(1).scaleb(-places), rounding=mode))
        except InvalidOperation:
            return math.nan
    scaled = float(Decimal(repr(number)).scaleb(places))
    rounded = float(math.trunc(scaled + 0.5))
    return float(Decimal(repr(rounded)).scaleb(-places))


def _substr(ev: Evaluation, args: list[Value]) -> Value:
    text = to_string(args[0])
    length = len(text)
    start = int(_java_int_value(to_int(args[1])))
    end = int(_java_int_value(to_int(args[2]))) if len(args) > 2 else length
    if start < 0:
        start = length + start
    if end < 0:
        end = length + end
    end = min(max(0, end), length)
    start = min(max(0, start), length)
    return text[start:end] if start <= end else ""


def _java_int_value(number: float) -> int:
    """Java's ``Double.intValue()``: NaN is 0, saturating at the int range."""
    if math.isnan(number):
        return 0
    if number >= 2**31 - 1:
        return 2**31 - 1
    if number <= -(2**31):
        return -(2**31)
    return math.trunc(number)


def _translate(ev: Evaluation, args: list[Value]) -> Value:
    text, source, target = (to_string(a) for a in args)
    out = []
    for ch in text:
        at = source.find(ch)
        if at < 0:
            out.append(ch)
        elif at < len(target):
            out.append(target[at])
    return "".join(out)


def _context_text(ev: Evaluation, args: list[Value]) -> str:
    if args:
        return to_string(args[0])
    return to_string(ev.scope.context())


def _normalize_space(ev: Evaluation, args: list[Value]) -> Value:
    return " ".join(_context_text(ev, args).split())


def _selected(ev: Evaluation, args: list[Value]) -> Value:
    wanted = unpack(args[1])
    if not isinstance(wanted, str):
        raise EvaluationError(_("the second argument of selected() must be in quotes, like '1'"))
    return wanted.strip() in to_string(args[0]).split(" ")


def _selected_at(ev: Evaluation, args: list[Value]) -> Value:
    chosen = [p for p in to_string(args[0]).split(" ") if p]
    index = _java_int_value(to_int(args[1]))
    return chosen[index] if 0 <= index < len(chosen) else ""


def _count_selected(ev: Evaluation, args: list[Value]) -> Value:
    return float(len([p for p in to_string(args[0]).split(" ") if p]))


def _node_set(value: Value, name: str) -> NodeSet:
    if not isinstance(value, NodeSet):
        raise EvaluationError(_("{name}() needs a reference to questions, not a value").format(
            name=name))
    return value


def _sum(ev: Evaluation, args: list[Value]) -> Value:
    total = 0.0
    for value in items(_node_set(args[0], "sum")):
        number = to_number(value)
        if not math.isnan(number):
            total += number
    return total


def _extreme(pick: Callable[[float, float], float], start: float) -> Implementation:
    def implementation(ev: Evaluation, args: list[Value]) -> Value:
        values = items(args[0]) if len(args) == 1 and isinstance(args[0], NodeSet) else args
        best, found = start, False
        for value in values:
            number = to_number(value)
            if not math.isnan(number):
                best, found = pick(best, number), True
        return best if found else math.nan
    return implementation


def _spread(args: list[Value], first: int = 0) -> list[Any]:
    """Arguments from ``first`` on, a single node set argument standing for its values."""
    rest = args[first:]
    if len(rest) == 1 and isinstance(rest[0], NodeSet):
        return items(rest[0])
    return rest


def _concat(ev: Evaluation, args: list[Value]) -> Value:
    return "".join(to_string(v) for v in _spread(args))


def _join(ev: Evaluation, args: list[Value]) -> Value:
    separator = to_string(args[0])
    return separator.join(to_string(v) for v in _spread(args, 1))


def _count(ev: Evaluation, args: list[Value]) -> Value:
    return float(len(_node_set(args[0], "count")))


def _count_non_empty(ev: Evaluation, args: list[Value]) -> Value:
    return float(sum(1 for v in items(_node_set(args[0], "count-non-empty"))
                     if to_string(v) != ""))


def _position(ev: Evaluation, args: list[Value]) -> Value:
    if not args:
        return ev.scope.position()
    nodes = _node_set(args[0], "position")
    if not nodes.values:
        return 0.0
    return float(nodes.positions[0]) if nodes.positions else 1.0


def _checklist(ev: Evaluation, args: list[Value]) -> Value:
    low = _java_int_value(to_number(args[0]))
    high = _java_int_value(to_number(args[1]))
    count = sum(1 for v in _spread(args, 2) if to_boolean(v))
    return (low < 0 or count >= low) and (high < 0 or count <= high)


def _weighted_checklist(ev: Evaluation, args: list[Value]) -> Value:
    low, high = to_number(args[0]), to_number(args[1])
    if len(args) == 4 and isinstance(args[2], NodeSet) and isinstance(args[3], NodeSet):
        flags: Sequence[Value] = items(args[2])
        weights: Sequence[Value] = items(args[3])
        if len(flags) != len(weights):
            raise EvaluationError(_("weighted-checklist(): the two references select different "
                                    "numbers of answers"))
    else:
        flags, weights = args[2::2], args[3::2]
    total = sum(to_number(w) for f, w in zip(flags, weights, strict=False) if to_boolean(f))
    return low <= total <= high


def _regex(ev: Evaluation, args: list[Value]) -> Value:
    return compile_regex(to_string(args[1])).fullmatch(to_string(args[0])) is not None


@lru_cache(maxsize=256)
def compile_regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise EvaluationError(_("the regular expression is invalid ({reason})").format(
            reason=exc)) from None


def _once(ev: Evaluation, args: list[Value]) -> Value:
    current = unpack(ev.scope.context())
    if current == "" or (isinstance(current, float) and math.isnan(current)):
        return args[0]
    return current


def _uuid(ev: Evaluation, args: list[Value]) -> Value:
    if not args:
        return str(uuid.uuid4())
    length = _java_int_value(to_int(args[0]))
    if not 0 <= length <= 10_000:
        raise EvaluationError(_("uuid() takes a length from 0 to 10000"))
    alphabet = string.digits + string.ascii_uppercase
    return "".join(secrets.choice(alphabet) for _i in range(length))


_DIGESTS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384",
            "SHA-512": "sha512"}


def _digest(ev: Evaluation, args: list[Value]) -> Value:
    algorithm = _DIGESTS.get(to_string(args[1]))
    if algorithm is None:
        raise EvaluationError(_("digest(): the algorithm must be one of {names}").format(
            names=", ".join(_DIGESTS)))
    encoding = to_string(args[2]) if len(args) > 2 else "base64"
    if encoding not in ("base64", "hex"):
        raise EvaluationError(_("digest(): the encoding must be base64 or hex"))
    raw = hashlib.new(algorithm, to_string(args[0]).encode("utf-8")).digest()
    return base64.b64encode(raw).decode("ascii") if encoding == "base64" else raw.hex()


def _base64_decode(ev: Evaluation, args: list[Value]) -> Value:
    try:
        return base64.b64decode(to_string(args[0]), validate=False).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


def _boolean_from_string(ev: Evaluation, args: list[Value]) -> Value:
    text = to_string(args[0])
    return text.lower() == "true" or text == "1"


def _today(ev: Evaluation, args: list[Value]) -> Value:
    return XDate(midnight(ev.scope.now()))


def _now(ev: Evaluation, args: list[Value]) -> Value:
    return XDate(ev.scope.now(), has_time=True)


def _format_date(ev: Evaluation, args: list[Value]) -> Value:
    return format_date(args[0], args[1])


def _choice_name(ev: Evaluation, args: list[Value]) -> Value:
    return ev.scope.choice_label(to_string(args[0]), to_string(args[1]))


def _pulldata(ev: Evaluation, args: list[Value]) -> Value:
    instance, column, key_column, key = (to_string(a) for a in args)
    return ev.scope.pulldata(instance, column, key_column, key)


# --------------------------------------------------------------------------- geography

EARTH_RADIUS_METERS = 6_378_100.0
_CIRCUMFERENCE = 2 * EARTH_RADIUS_METERS * math.pi


def _points(text: str, name: str) -> list[tuple[float, float]]:
    found = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        numbers = part.split()
        try:
            lat, lon = float(numbers[0]), float(numbers[1])
        except (IndexError, ValueError):
            raise EvaluationError(_("{name}() received a value that is not GPS coordinates"
                                    ).format(name=name)) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or len(numbers) > 4:
            raise EvaluationError(_("{name}() received a value that is not GPS coordinates"
                                    ).format(name=name))
        found.append((lat, lon))
    return found


def _nodeset_points(value: Value, name: str) -> list[tuple[float, float]]:
    values = items(_node_set(value, name))
    if len(values) == 1:
        return _points(to_string(values[0]), name)
    points: list[tuple[float, float]] = []
    for v in values:
        one = _points(to_string(v), name)
        if len(one) != 1:
            raise EvaluationError(_("{name}() received a value that is not GPS coordinates"
                                    ).format(name=name))
        points.extend(one)
    return points


def polygon_area(points: Sequence[tuple[float, float]]) -> float:
    """JavaRosa's ``GeoUtils.calculateAreaOfGPSPolygonOnEarthInSquareMeters``."""
    if len(points) < 3:
        return 0.0
    lat0, lon0 = points[0]
    xs, ys = [], []
    for lat, lon in points[1:]:
        ys.append((lat - lat0) * _CIRCUMFERENCE / 360.0)
        xs.append((lon - lon0) * _CIRCUMFERENCE * math.cos(math.radians(lat)) / 360.0)
    total = 0.0
    for i in range(1, len(xs)):
        total += (ys[i - 1] * xs[i] - xs[i - 1] * ys[i]) / 2
    return abs(total)


def path_distance(points: Sequence[tuple[float, float]]) -> float:
    """JavaRosa's ``GeoUtils.calculateDistance`` (spherical law of cosines, metres)."""
    total = 0.0
    for (lat1, lon1), (lat2, lon2) in zip(points, points[1:], strict=False):
        p1, p2 = math.radians(lat1), math.radians(lat2)
        cosine = (math.sin(p1) * math.sin(p2)
                  + math.cos(p1) * math.cos(p2) * math.cos(math.radians(lon1 - lon2)))
        total += math.acos(max(-1.0, min(1.0, cosine))) * EARTH_RADIUS_METERS
    return total


def _area(ev: Evaluation, args: list[Value]) -> Value:
    return polygon_area(_nodeset_points(args[0], "area"))


def _distance(ev: Evaluation, args: list[Value]) -> Value:
    if len(args) == 1:
        if isinstance(args[0], NodeSet):
            return path_distance(_nodeset_points(args[0], "distance"))
        return path_distance(_points(to_string(args[0]), "distance"))
    points: list[tuple[float, float]] = []
    for value in args:
        one = _points(to_string(value), "distance")
        if len(one) != 1:
            raise EvaluationError(_("distance() received a value that is not GPS coordinates"))
        points.extend(one)
    return path_distance(points)


def _geofence(ev: Evaluation, args: list[Value]) -> Value:
    point = _points(to_string(args[0]), "geofence")
    polygon = _nodeset_points(args[1], "geofence")
    if len(point) != 1:
        raise EvaluationError(_("geofence() received a value that is not GPS coordinates"))
    test_lat, test_lon = point[0]
    inside = False
    for (lat1, lon1), (lat2, lon2) in zip(polygon, polygon[1:], strict=False):
        if (lat2 > test_lat) != (lat1 > test_lat) and (
                test_lon < (lon1 - lon2) * (test_lat - lat2) / (lat1 - lat2) + lon2):
            inside = not inside
    return inside


# --------------------------------------------------------------------------- lazy functions


def _if(ev: Evaluation, nodes: list[Any]) -> Value:
    return ev.run(nodes[1] if to_boolean(ev.run(nodes[0])) else nodes[2])


def _coalesce(ev: Evaluation, nodes: list[Any]) -> Value:
    first = ev.run(nodes[0])
    return first if not is_null(first) else ev.run(nodes[1])


def _indexed_repeat(ev: Evaluation, nodes: list[Any]) -> Value:
    target = ev.reference_key(nodes[0])
    if target is None:
        raise EvaluationError(_("indexed-repeat(): the first argument must refer to a question"))
    pairs = []
    for group_node, index_node in zip(nodes[1::2], nodes[2::2], strict=True):
        group = ev.reference_key(group_node)
        if group is None:
            raise EvaluationError(_("indexed-repeat(): the repeats must be references"))
        pairs.append((group, _java_int_value(to_int(ev.run(index_node)))))
    return ev.scope.indexed(target, pairs)


def _current(ev: Evaluation, args: list[Value]) -> Value:
    return ev.scope.context()


def _depend(ev: Evaluation, args: list[Value]) -> Value:
    return args[0]


def _version(ev: Evaluation, args: list[Value]) -> Value:
    return ev.scope.form_version


def _lambda(fn: Callable[[list[Value]], Value]) -> Implementation:
    return lambda ev, args: fn(args)


# --------------------------------------------------------------------------- the table

LIBRARY: dict[str, Function] = {
    # logic and conversion (XPath 1.0)
    "true": Function(0, 0, _lambda(lambda a: True)),
    "false": Function(0, 0, _lambda(lambda a: False)),
    "not": Function(1, 1, _lambda(lambda a: not to_boolean(a[0]))),
    "boolean": Function(1, 1, _lambda(lambda a: to_boolean(a[0]))),
    "number": Function(1, 1, _lambda(lambda a: to_number(a[0]))),
    "string": Function(1, 1, _lambda(lambda a: to_string(a[0]))),
    "int": Function(1, 1, _lambda(lambda a: to_int(a[0]))),
    "boolean-from-string": Function(1, 1, _boolean_from_string),
    "if": Function(3, 3, _if, lazy=True),
    "coalesce": Function(2, 2, _coalesce, lazy=True),
    "depend": Function(1, None, _depend),
    # text
    "concat": Function(0, None, _concat),
    "join": Function(1, None, _join),
    "substr": Function(2, 3, _substr),
    "substring-before": Function(2, 2, _lambda(lambda a: (
        lambda s, t: s[: s.find(t)] if t and s.find(t) >= 0 else "")(
            to_string(a[0]), to_string(a[1])))),
    "substring-after": Function(2, 2, _lambda(lambda a: (
        lambda s, t: s[s.find(t) + len(t):] if s.find(t) >= 0 else "")(
            to_string(a[0]), to_string(a[1])))),
    "contains": Function(2, 2, _lambda(lambda a: to_string(a[1]) in to_string(a[0]))),
    "starts-with": Function(2, 2, _lambda(lambda a: to_string(a[0]).startswith(to_string(a[1])))),
    "ends-with": Function(2, 2, _lambda(lambda a: to_string(a[0]).endswith(to_string(a[1])))),
    "translate": Function(3, 3, _translate),
    "normalize-space": Function(0, 1, _normalize_space),
    "string-length": Function(0, 1, lambda ev, a: float(len(_context_text(ev, a)))),
    "regex": Function(2, 2, _regex),
    "digest": Function(2, 3, _digest),
    "base64-decode": Function(1, 1, _base64_decode),
    "uuid": Function(0, 1, _uuid),
    # choices
    "selected": Function(2, 2, _selected),
    "is-selected": Function(2, 2, _selected),
    "selected-at": Function(2, 2, _selected_at),
    "count-selected": Function(1, 1, _count_selected),
    "jr:choice-name": Function(2, 2, _choice_name),
    "choice-name": Function(2, 2, _choice_name),
    # numbers
    "round": Function(1, 2, _round),
    "pow": Function(2, 2, _math(_java_pow)),
    "abs": Function(1, 1, _math(abs)),
    "sqrt": Function(1, 1, _math(lambda x: math.sqrt(x) if x >= 0 else math.nan)),
    "exp": Function(1, 1, _math(_java_exp)),
    "exp10": Function(1, 1, _math(lambda x: _java_pow(10.0, x))),
    "log": Function(1, 1, _math(_java_log)),
    "log10": Function(1, 1, _math(_java_log10)),
    "sin": Function(1, 1, _math(lambda x: math.sin(x) if math.isfinite(x) else math.nan)),
    "cos": Function(1, 1, _math(lambda x: math.cos(x) if math.isfinite(x) else math.nan)),
    "tan": Function(1, 1, _math(lambda x: math.tan(x) if math.isfinite(x) else math.nan)),
    "asin": Function(1, 1, _math(math.asin)),
    "acos": Function(1, 1, _math(math.acos)),
    "atan": Function(1, 1, _math(math.atan)),
    "atan2": Function(2, 2, _math(math.atan2)),
    "pi": Function(0, 0, _lambda(lambda a: math.pi)),
    "random": Function(0, 0, _lambda(lambda a: random.random())),  # noqa: S311 - ODK's random()
    # node sets and repeats
    "count": Function(1, 1, _count),
    "count-non-empty": Function(1, 1, _count_non_empty),
    "sum": Function(1, 1, _sum),
    "max": Function(1, None, _extreme(max, -math.inf)),
    "min": Function(1, None, _extreme(min, math.inf)),
    "position": Function(0, 1, _position),
    "indexed-repeat": Function(3, 11, _indexed_repeat, lazy=True, counts=(3, 5, 7, 9, 11)),
    "current": Function(0, 0, _current),
    "once": Function(1, 1, _once),
    "checklist": Function(2, None, _checklist),
    "weighted-checklist": Function(2, None, _weighted_checklist),
    # dates
    "today": Function(0, 0, _today),
    "now": Function(0, 0, _now),
    "date": Function(1, 1, _lambda(lambda a: to_date(a[0], False))),
    "date-time": Function(1, 1, _lambda(lambda a: to_date(a[0], True))),
    "decimal-date-time": Function(1, 1, _lambda(lambda a: decimal_date_time(a[0], True))),
    "decimal-time": Function(1, 1, _lambda(lambda a: decimal_date_time(a[0], False))),
    "format-date": Function(2, 2, _format_date),
    "format-date-time": Function(2, 2, _format_date),
    # geography
    "area": Function(1, 1, _area),
    "enclosed-area": Function(1, 1, _area),
    "distance": Function(1, None, _distance),
    "geofence": Function(2, 2, _geofence),
    # form facts
    "version": Function(0, 0, _version),
    "pulldata": Function(4, 4, _pulldata),
}

#: ODK functions a form may name that we do not evaluate, and why: refused at import with the
#: sheet, row and column of the expression.
REFUSED: dict[str, str] = {
    "randomize": N_("it shuffles the choices of a list; use the “randomize” parameter instead"),
    "instance": N_("secondary instances are not supported in expressions; use a choice list"),
    "extract-signed": N_("signed data is not verified here"),
    "property": N_("device properties are not available on a laptop"),
}
