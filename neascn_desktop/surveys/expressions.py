"""XLSForm expressions (``relevant``, ``constraint``, ``required``, ``calculation``).

Our own tokenizer, recursive-descent parser and evaluator for the subset of
XPath that survey designers use in XLSForm: ``${name}``, ``.``, ``and``/``or``,
comparisons, ``+ - * div mod``, number and string literals and the functions
in :data:`FUNCTIONS`.  Nothing is ever handed to Python's ``eval``: anything
outside the grammar is refused with an :class:`ExpressionError` naming the
position and the reason.

Values follow XPath 1.0: an unanswered question is the empty string, which
converts to the number NaN (so ``${age} > 5`` is false while unanswered); ``=``
compares as booleans if either side is a boolean, else as numbers if either
side is a number, else as strings; ``<`` and friends compare as numbers —
except that two non-numeric strings compare as strings, which makes ISO dates
(``${start} <= ${end}``) work as designers expect.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from neascn_desktop.errors import NeascnError
from neascn_desktop.i18n import _

#: Deepest nesting of parentheses, signs and function calls we accept (bounds the parser's recursion).
MAX_NESTING = 40
#: Deepest syntax tree we accept (``1 + 2 + ... + 200`` is 200 deep; bounds evaluation's recursion).
MAX_DEPTH = 200
#: Longest expression text we accept.
MAX_LENGTH = 4000


class ExpressionError(NeascnError):
    """An expression outside the grammar (or one that cannot be evaluated)."""

    def __init__(self, text: str, position: int, reason: str) -> None:
        self.text = text
        self.position = position
        self.reason = reason
        super().__init__(
            _("Expression “{text}”, position {position}: {reason}").format(
                text=_shorten(text), position=position + 1, reason=reason
            )
        )


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- syntax tree

Value = str | float | bool


@dataclass(frozen=True)
class Literal:
    value: str | float


@dataclass(frozen=True)
class Ref:
    """``${name}``: the value of another question."""

    name: str


@dataclass(frozen=True)
class Current:
    """``.``: the value of the question the expression belongs to."""


@dataclass(frozen=True)
class Negate:
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str  # one of BINARY_OPERATORS
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Literal | Ref | Current | Negate | Binary | Call

#: Binary operators from the loosest to the tightest binding level.
PRECEDENCE: tuple[tuple[str, ...], ...] = (
    ("or",),
    ("and",),
    ("=", "!="),
    ("<", "<=", ">", ">="),
    ("+", "-"),
    ("*", "div", "mod"),
)
BINARY_OPERATORS = frozenset(op for level in PRECEDENCE for op in level)
_LEVEL = {op: i for i, level in enumerate(PRECEDENCE) for op in level}

# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    kind: str  # number, string, ref, dot, name, op, lparen, rparen, comma, end
    text: str
    position: int
    value: Any = None


_NAME_RE = re.compile(r"(?:jr:|odk:)?[A-Za-z_][A-Za-z0-9_\-]*")
_QUESTION_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_PATH_RE = re.compile(r"(?:(?:\.\./)+|/(?:[A-Za-z_][A-Za-z0-9_.\-]*/)*)[A-Za-z_][A-Za-z0-9_\-]*(?![A-Za-z0-9_\-(])")
_QUOTES = {"'": "'‘’", '"': '"“”', "‘": "'‘’", "’": "'‘’",
           "“": '"“”', "”": '"“”'}
_SYMBOLS = ("!=", "<=", ">=", "=", "<", ">", "+", "-", "*")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
            continue
        if ch == "$":
            if not text.startswith("${", i):
                raise ExpressionError(text, i, _("“$” must start a reference like ${name}"))
            end = text.find("}", i + 2)
            if end < 0:
                raise ExpressionError(text, i, _("the reference is not closed with “}”"))
            name = text[i + 2 : end]
            if not _QUESTION_NAME_RE.fullmatch(name):
                raise ExpressionError(
                    text, i, _("“{name}” is not a valid question name").format(name=name)
                )
            tokens.append(Token("ref", text[i : end + 1], i, name))
            i = end + 1
            continue
        if ch in _QUOTES:
            # Excel turns straight quotes typographic; ODK's converter reads them as straight.
            end = min((e for e in (text.find(c, i + 1) for c in _QUOTES[ch]) if e >= 0), default=-1)
            if end < 0:
                raise ExpressionError(text, i, _("the text in quotes is not closed"))
            tokens.append(Token("string", text[i : end + 1], i, text[i + 1 : end]))
            i = end + 1
            continue
        match = _NUMBER_RE.match(text, i)
        if match:
            literal = match.group()
            tokens.append(Token("number", literal, i, float(literal)))
            i = match.end()
            continue
        match = _PATH_RE.match(text, i)
        if match:
            # ``../name`` and ``/data/group/name``: names are unique in a form, so the last
            # step names the question (relative steps inside repeats resolve the same way).
            tokens.append(Token("ref", match.group(), i, match.group().rsplit("/", 1)[-1]))
            i = match.end()
            continue
        if ch == ".":
            tokens.append(Token("dot", ".", i))
            i += 1
            continue
        match = _NAME_RE.match(text, i)
        if match:
            word = match.group()
            tokens.append(Token("name", word, i, word))
            i = match.end()
            continue
        for symbol in _SYMBOLS:
            if text.startswith(symbol, i):
                tokens.append(Token("op", symbol, i, symbol))
                i += len(symbol)
                break
        else:
            kind = {"(": "lparen", ")": "rparen", ",": "comma"}.get(ch)
            if kind is None:
                raise ExpressionError(
                    text, i, _("the character “{char}” is not allowed here").format(char=ch)
                )
            tokens.append(Token(kind, ch, i))
            i += 1
    tokens.append(Token("end", "", n))
    return tokens


# --------------------------------------------------------------------------- functions

#: name -> (minimum arguments, maximum arguments or None for any number)
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "selected": (2, 2),
    "count-selected": (1, 1),
    "string-length": (1, 1),
    "regex": (2, 2),
    "if": (3, 3),
    "true": (0, 0),
    "false": (0, 0),
    "not": (1, 1),
    "number": (1, 1),
    "string": (1, 1),
    "boolean": (1, 1),
    "concat": (1, None),
    "coalesce": (2, 2),
    "round": (1, 2),
    "int": (1, 1),
}
#: ODK functions a form may use that this evaluator does not compute yet: they parse, so the
#: form imports, and evaluating one raises :class:`ExpressionError` (the caller's default applies).
PARSE_ONLY_FUNCTIONS: dict[str, tuple[int, int | None]] = {
    name: (0, None) for name in (
        "selected-at", "jr:choice-name", "join", "substr", "substring-before", "substring-after",
        "contains", "starts-with", "ends-with", "translate", "normalize-space", "pow", "sqrt",
        "exp", "log", "log10", "abs", "min", "max", "sum", "count", "position", "indexed-repeat",
        "once", "today", "now", "date", "date-time", "decimal-date-time", "format-date",
        "format-date-time", "pulldata", "area", "distance", "boolean-from-string", "checklist",
        "weighted-checklist", "uuid", "random", "digest", "current", "floor", "ceiling", "last",
        "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "pi", "decimal-time", "exp10", "base64-decode", "choice-name",
    )
}
_WORD_OPERATORS = {"and", "or", "div", "mod"}

# --------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.nesting = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def fail(self, reason: str, token: Token | None = None) -> ExpressionError:
        return ExpressionError(self.text, (token or self.token).position, reason)

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def operator_here(self) -> str | None:
        token = self.token
        if token.kind == "op" or (token.kind == "name" and token.value in _WORD_OPERATORS):
            return str(token.value)
        return None

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise self.fail(_("the expression is empty"))
        node, _depth = self.binary(0)
        if self.token.kind != "end":
            raise self.fail(_("unexpected “{token}”").format(token=self.token.text))
        return node

    def binary(self, level: int) -> tuple[Node, int]:
        if level == len(PRECEDENCE):
            return self.unary()
        left, depth = self.binary(level + 1)
        while (op := self.operator_here()) is not None and _LEVEL.get(op) == level:
            op_token = self.advance()
            right, right_depth = self.binary(level + 1)
            depth = max(depth, right_depth) + 1
            if depth > MAX_DEPTH:
                raise self.fail(_("the expression is nested too deeply"), op_token)
            left = Binary(op, left, right)
        return left, depth

    def enter(self) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise self.fail(_("the expression is nested too deeply"))

    def unary(self) -> tuple[Node, int]:
        token = self.token
        if token.kind == "op" and token.value == "-":
            self.advance()
            self.enter()
            operand, depth = self.unary()
            self.nesting -= 1
            if depth + 1 > MAX_DEPTH:
                raise self.fail(_("the expression is nested too deeply"), token)
            return Negate(operand), depth + 1
        return self.primary()

    def primary(self) -> tuple[Node, int]:
        token = self.token
        if token.kind == "number":
            self.advance()
            return Literal(token.value), 1
        if token.kind == "string":
            self.advance()
            return Literal(token.value), 1
        if token.kind == "ref":
            self.advance()
            return Ref(token.value), 1
        if token.kind == "dot":
            self.advance()
            return Current(), 1
        if token.kind == "lparen":
            self.advance()
            self.enter()
            node, depth = self.binary(0)
            self.nesting -= 1
            self.expect("rparen", _("a closing “)” is missing"))
            return node, depth
        if token.kind == "name":
            return self.call()
        if token.kind == "end":
            raise self.fail(_("the expression ends too early"))
        raise self.fail(_("unexpected “{token}”").format(token=token.text))

    def expect(self, kind: str, reason: str) -> Token:
        if self.token.kind != kind:
            raise self.fail(reason)
        return self.advance()

    def call(self) -> tuple[Node, int]:
        token = self.advance()
        name = str(token.value)
        if name in _WORD_OPERATORS:
            raise self.fail(_("“{name}” needs a value on its left").format(name=name), token)
        if self.token.kind != "lparen":
            raise self.fail(
                _("“{name}” is not allowed here: refer to questions as ${{name}}").format(name=name),
                token,
            )
        if name not in FUNCTIONS and name not in PARSE_ONLY_FUNCTIONS:
            raise self.fail(_("unknown function “{name}()”").format(name=name), token)
        self.advance()
        self.enter()
        args: list[Node] = []
        depth = 0
        if self.token.kind != "rparen":
            while True:
                arg, arg_depth = self.binary(0)
                args.append(arg)
                depth = max(depth, arg_depth)
                if self.token.kind == "comma":
                    self.advance()
                    continue
                break
        self.nesting -= 1
        self.expect("rparen", _("a closing “)” is missing"))
        low, high = FUNCTIONS.get(name) or PARSE_ONLY_FUNCTIONS[name]
        if len(args) < low or (high is not None and len(args) > high):
            if low == high:
                reason = _("{name}() takes {count} arguments, not {given}").format(
                    name=name, count=low, given=len(args))
            else:
                reason = _("{name}() takes at least {count} arguments, not {given}").format(
                    name=name, count=low, given=len(args))
            raise self.fail(reason, token)
        if name == "regex" and isinstance(args[1], Literal):
            _compile_regex(self.text, token.position, str(args[1].value))
        if depth + 1 > MAX_DEPTH:
            raise self.fail(_("the expression is nested too deeply"), token)
        return Call(name, tuple(args)), depth + 1


@lru_cache(maxsize=256)
def _compile_regex(text: str, position: int, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise ExpressionError(
            text, position, _("the regular expression is invalid ({reason})").format(reason=exc)
        ) from None


@lru_cache(maxsize=4096)
def parse(text: str) -> Node:
    """The syntax tree of an expression; raises :class:`ExpressionError` outside the grammar."""
    if not isinstance(text, str):
        raise ExpressionError(str(text), 0, _("an expression must be text"))
    if len(text) > MAX_LENGTH:
        raise ExpressionError(text, MAX_LENGTH, _("the expression is too long"))
    return _Parser(text).parse()


def check(text: str) -> None:
    """Raise :class:`ExpressionError` if ``text`` is not a valid expression."""
    parse(text)


def references(node: Node) -> frozenset[str]:
    """The question names an expression refers to with ``${name}``."""
    found: set[str] = set()
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Ref):
            found.add(current.name)
        elif isinstance(current, Negate):
            stack.append(current.operand)
        elif isinstance(current, Binary):
            stack.extend((current.left, current.right))
        elif isinstance(current, Call):
            stack.extend(current.args)
    return frozenset(found)


def uses_current(node: Node) -> bool:
    """Whether the expression mentions ``.`` (the question's own value)."""
    if isinstance(node, Current):
        return True
    if isinstance(node, Negate):
        return uses_current(node.operand)
    if isinstance(node, Binary):
        return uses_current(node.left) or uses_current(node.right)
    if isinstance(node, Call):
        return any(uses_current(a) for a in node.args)
    return False


# --------------------------------------------------------------------------- printing


def _number_text(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def to_text(node: Node) -> str:
    """Print a syntax tree as an expression that parses back to the same tree."""
    if isinstance(node, Literal):
        if isinstance(node.value, str):
            quote = "'" if "'" not in node.value else '"'
            return f"{quote}{node.value}{quote}"
        return _number_text(node.value)
    if isinstance(node, Ref):
        return "${" + node.name + "}"
    if isinstance(node, Current):
        return "."
    if isinstance(node, Negate):
        return "-" + _child_text(node.operand, _NEGATE_LEVEL)
    if isinstance(node, Binary):
        level = _LEVEL[node.op]
        # Operators are left-associative: a right operand of the same level needs parentheses.
        return (f"{_child_text(node.left, level)} {node.op} "
                f"{_child_text(node.right, level + 1)}")
    if isinstance(node, Call):
        return f"{node.name}({', '.join(to_text(a) for a in node.args)})"
    raise TypeError(type(node).__name__)


_NEGATE_LEVEL = len(PRECEDENCE)


def _level(node: Node) -> int:
    if isinstance(node, Binary):
        return _LEVEL[node.op]
    if isinstance(node, Negate):
        return _NEGATE_LEVEL
    return _NEGATE_LEVEL + 1


def _child_text(node: Node, minimum: int) -> str:
    """A child's text, in parentheses when it binds more loosely than ``minimum``."""
    text = to_text(node)
    return f"({text})" if _level(node) < minimum else text


# --------------------------------------------------------------------------- values


def answer_to_value(answer: Any) -> Value:
    """An answer as XPath sees it: absent -> '', numbers -> float, lists -> space-separated."""
    if answer is None:
        return ""
    if isinstance(answer, bool):
        return answer
    if isinstance(answer, int | float):
        return float(answer)
    if isinstance(answer, list | tuple):
        return " ".join(str(item) for item in answer)
    return str(answer)


_NUMERIC_TEXT = re.compile(r"\s*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*")


def to_number(value: Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if _NUMERIC_TEXT.fullmatch(value):
        return float(value)
    return math.nan


def to_boolean(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return value != ""


def to_string(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return _number_text(value)
    return value


def _compare(op: str, left: Value, right: Value) -> bool:
    if op in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            same = to_boolean(left) == to_boolean(right)
        elif isinstance(left, float) or isinstance(right, float):
            same = to_number(left) == to_number(right)
        else:
            same = left == right
        return same if op == "=" else not same
    a, b = to_number(left), to_number(right)
    if (
        isinstance(left, str) and isinstance(right, str)
        and math.isnan(a) and math.isnan(b) and left != "" and right != ""
    ):
        sa, sb = left, right  # two non-numeric strings, e.g. ISO dates
        return {"<": sa < sb, "<=": sa <= sb, ">": sa > sb, ">=": sa >= sb}[op]
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _arithmetic(op: str, left: Value, right: Value) -> float:
    a, b = to_number(left), to_number(right)
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "div":
            if b == 0:
                if a == 0 or math.isnan(a):
                    return math.nan
                return math.copysign(math.inf, a) * math.copysign(1.0, b)
            return a / b
        # XPath ``mod`` truncates like C's fmod (the sign follows the dividend).
        return math.fmod(a, b)
    except (ValueError, OverflowError):
        return math.nan


# --------------------------------------------------------------------------- evaluation


class _Evaluator:
    def __init__(self, answers: Mapping[str, Any], current: Any) -> None:
        self.answers = answers
        self.current = current

    def run(self, node: Node) -> Value:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Ref):
            return answer_to_value(self.answers.get(node.name))
        if isinstance(node, Current):
            return answer_to_value(self.current)
        if isinstance(node, Negate):
            return -to_number(self.run(node.operand))
        if isinstance(node, Binary):
            if node.op == "or":
                return to_boolean(self.run(node.left)) or to_boolean(self.run(node.right))
            if node.op == "and":
                return to_boolean(self.run(node.left)) and to_boolean(self.run(node.right))
            left, right = self.run(node.left), self.run(node.right)
            if node.op in ("=", "!=", "<", "<=", ">", ">="):
                return _compare(node.op, left, right)
            return _arithmetic(node.op, left, right)
        if isinstance(node, Call):
            return self.call(node)
        raise TypeError(type(node).__name__)

    def call(self, node: Call) -> Value:
        name = node.name
        if name == "if":
            chosen = node.args[1] if to_boolean(self.run(node.args[0])) else node.args[2]
            return self.run(chosen)
        args = [self.run(arg) for arg in node.args]
        handler = _FUNCTION_IMPLEMENTATIONS.get(name)
        if handler is None:
            raise ExpressionError(name, 0, _("unknown function “{name}()”").format(name=name))
        return handler(args)


def _round(args: list[Value]) -> float:
    number = to_number(args[0])
    digits = to_number(args[1]) if len(args) > 1 else 0.0
    if math.isnan(number) or math.isinf(number) or math.isnan(digits) or abs(digits) > 15:
        return number
    factor = 10.0 ** int(digits)
    scaled = abs(number) * factor + 0.5
    if math.isinf(scaled):
        return number
    # Round half away from zero like ODK, not Python's half to even.
    return math.copysign(math.floor(scaled), number) / factor


def _int(args: list[Value]) -> float:
    number = to_number(args[0])
    if math.isnan(number) or math.isinf(number):
        return number
    return float(math.trunc(number))


def _regex(args: list[Value]) -> bool:
    pattern = to_string(args[1])
    compiled = _compile_regex(pattern, 0, pattern)
    return compiled.search(to_string(args[0])) is not None


_FUNCTION_IMPLEMENTATIONS: dict[str, Callable[[list[Value]], Value]] = {
    "selected": lambda a: to_string(a[1]).strip() in to_string(a[0]).split(),
    "count-selected": lambda a: float(len(to_string(a[0]).split())),
    "string-length": lambda a: float(len(to_string(a[0]))),
    "regex": _regex,
    "true": lambda a: True,
    "false": lambda a: False,
    "not": lambda a: not to_boolean(a[0]),
    "number": lambda a: to_number(a[0]),
    "string": lambda a: to_string(a[0]),
    "boolean": lambda a: to_boolean(a[0]),
    "concat": lambda a: "".join(to_string(v) for v in a),
    "coalesce": lambda a: a[0] if to_string(a[0]) != "" else a[1],
    "round": _round,
    "int": _int,
}


def evaluate(node: Node | str, answers: Mapping[str, Any], current: Any = None) -> Value:
    """Evaluate a syntax tree (or expression text) against answers; ``current`` is ``.``."""
    if isinstance(node, str):
        node = parse(node)
    return _Evaluator(answers, current).run(node)


def evaluate_boolean(node: Node | str, answers: Mapping[str, Any], current: Any = None) -> bool:
    return to_boolean(evaluate(node, answers, current))
