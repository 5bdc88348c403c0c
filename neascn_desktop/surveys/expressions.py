"""XLSForm expressions (``relevant``, ``constraint``, ``required``, ``calculation``).

Our own tokenizer, recursive-descent parser and evaluator for the XPath that survey designers
use in XLSForm: ``${name}``, ``.``, relative and absolute paths (``..``, ``../x``,
``current()/../x``, ``/data/group/x``), ``and``/``or``, comparisons, ``+ - * div mod``,
number and string literals and the ODK function library of
:mod:`neascn_desktop.surveys.expression_library`.  Nothing is ever handed to Python's
``eval``: anything outside the grammar is refused with an :class:`ExpressionError` naming the
position and the reason.

Values and operators follow JavaRosa (ODK Collect), see
:mod:`neascn_desktop.surveys.expression_values`: an unanswered question is the empty string,
which converts to the number NaN (so ``${age} > 5`` is false while unanswered); ``=``
compares as booleans if either side is a boolean, else as numbers if either side is a
number, else as strings; ``<`` and friends compare as numbers (a date counts its days since
1970) — except that two texts that both read as ISO dates compare as dates, for answers held
as plain text outside a form.  Expressions are evaluated in a
:class:`~neascn_desktop.surveys.expression_scope.Scope` (the answers and the context node).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from neascn_desktop.errors import NeascnError
from neascn_desktop.i18n import _
from neascn_desktop.surveys import expression_library
from neascn_desktop.surveys.expression_scope import Scope, answer_value
from neascn_desktop.surveys.expression_values import (
    EvaluationError,
    NodeSet,
    Scalar,
    XDate,
    parse_date_time,
    to_boolean,
    to_number,
    to_string,
    unpack,
)

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

Value = Scalar


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
class Path:
    """A location path: ``start`` is ``/`` (absolute), ``.`` (relative to the context node) or
    ``current()``; ``steps`` are names, ``..`` and ``.``."""

    start: str
    steps: tuple[str, ...]


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


Node = Literal | Ref | Current | Path | Negate | Binary | Call

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
_QUESTION_NAME_RE = re.compile(r"[^\W\d][\w.\-]*")  # letters of any script, as in XML
_NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_STEP = r"(?:\.\.|\.|[^\W\d][\w.\-]*(?::[^\W\d][\w.\-]*)?)"
#: ``..``, ``../x``, ``./x``, ``/data/g/x``, ``current()/../x``: a path token (not ``.`` alone,
#: not a number like ``.5``, not a function name before ``(``).
_PATH_RE = re.compile(
    r"(?:current\(\)|\.\.|\.(?=/)|(?=/))(?:/" + _STEP + r")*(?![\w\-(:])")
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
        if match and match.group() not in ("", "current()"):
            path = _path_of(match.group())
            if path is not None:
                tokens.append(Token("path", match.group(), i, path))
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


def _path_of(text: str) -> Path | None:
    if text.startswith("current()"):
        start, rest = "current()", text[len("current()"):]
    elif text.startswith("/"):
        start, rest = "/", text
    else:
        start, rest = ".", "/" + text
    steps = tuple(rest.split("/")[1:])
    if any(step == "" for step in steps) or (start == "/" and not steps):
        return None
    return Path(start, steps)


# --------------------------------------------------------------------------- functions

#: name -> (minimum arguments, maximum arguments or None for any number): the ODK function
#: library we evaluate (see :mod:`neascn_desktop.surveys.expression_library`).
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    name: (f.minimum, f.maximum) for name, f in expression_library.LIBRARY.items()
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
        if token.kind == "path":
            self.advance()
            return token.value, 1
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
        if name in expression_library.REFUSED:
            raise self.fail(_("{name}() is not supported: {reason}").format(
                name=name, reason=_(expression_library.REFUSED[name])), token)
        if name not in FUNCTIONS:
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
        low, high = FUNCTIONS[name]
        counts = expression_library.LIBRARY[name].counts
        if counts and len(args) not in counts:
            raise self.fail(_("{name}() takes {counts} arguments, not {given}").format(
                name=name, counts=", ".join(map(str, counts)), given=len(args)), token)
        if len(args) < low or (high is not None and len(args) > high):
            if low == high:
                reason = _("{name}() takes {count} arguments, not {given}").format(
                    name=name, count=low, given=len(args))
            elif high is not None and len(args) > high:
                reason = _("{name}() takes at most {count} arguments, not {given}").format(
                    name=name, count=high, given=len(args))
            else:
                reason = _("{name}() takes at least {count} arguments, not {given}").format(
                    name=name, count=low, given=len(args))
            raise self.fail(reason, token)
        if name == "regex" and isinstance(args[1], Literal):
            _compile_regex(self.text, token.position, str(args[1].value))
        if name == "indexed-repeat" and not all(
                isinstance(a, Ref | Path) for a in args[0:1] + args[1::2]):
            raise self.fail(_("indexed-repeat() takes a question, then pairs of a repeat and "
                              "an instance number"), token)
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
    if isinstance(node, Current) or (isinstance(node, Path) and node.start != "/"):
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
    if isinstance(node, Path):
        if node.start == "/":
            return "/" + "/".join(node.steps)
        if node.start == ".":
            return "/".join(node.steps)
        return node.start + "".join("/" + step for step in node.steps)
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


def _legacy_date(value: Scalar) -> XDate | None:
    """A text answer that reads as an ISO date (answers held as plain text outside a form)."""
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-":
        return parse_date_time(value)
    return None


def _compare(op: str, left_value: expression_library.Value,
             right_value: expression_library.Value) -> bool:
    left, right = unpack(left_value), unpack(right_value)
    if op in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            same = to_boolean(left) == to_boolean(right)
        elif isinstance(left, float) or isinstance(right, float):
            same = abs(to_number(left) - to_number(right)) < 1e-12
        else:
            same = to_string(left) == to_string(right)
        return same if op == "=" else not same
    a, b = to_number(left), to_number(right)
    if math.isnan(a) and math.isnan(b):
        da, db = _legacy_date(left), _legacy_date(right)
        if da is not None and db is not None:
            sa, sb = da.moment, db.moment
            return {"<": sa < sb, "<=": sa <= sb, ">": sa > sb, ">=": sa >= sb}[op]
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _arithmetic(op: str, left: expression_library.Value, right: expression_library.Value) -> float:
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
        # XPath ``mod`` truncates like Java's % (the sign follows the dividend).
        return math.fmod(a, b)
    except (ValueError, OverflowError):
        return math.nan


# --------------------------------------------------------------------------- evaluation


class _Evaluator(expression_library.Evaluation):
    def __init__(self, scope: Scope, text: str) -> None:
        self.scope = scope
        self.text = text

    def run(self, node: Any) -> expression_library.Value:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Ref):
            return self.scope.ref(node.name)
        if isinstance(node, Current):
            return self.scope.context()
        if isinstance(node, Path):
            if node.start == "current()" and not node.steps:
                return self.scope.context()
            return self.scope.path(node.start, node.steps)
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
            function = expression_library.LIBRARY.get(node.name)
            if function is None:
                raise EvaluationError(_("unknown function “{name}()”").format(name=node.name))
            if function.lazy:
                return function.implementation(self, list(node.args))
            return function.implementation(self, [self.run(arg) for arg in node.args])
        raise TypeError(type(node).__name__)

    def reference_key(self, node: Any) -> str | None:
        if isinstance(node, Ref):
            return node.name
        if isinstance(node, Path):
            found = self.scope.path(node.start, node.steps)
            return found.keys[0] if found.keys else None
        return None


def _scope(answers: Mapping[str, Any] | Scope, current: Any) -> Scope:
    if isinstance(answers, Scope):
        return answers if current is None else answers.with_current(current)
    return Scope(answers, current)


def evaluate_value(node: Node | str, scope: Mapping[str, Any] | Scope,
                   current: Any = None) -> expression_library.Value:
    """Evaluate to a value or a node set (what aggregate callers want)."""
    text = node if isinstance(node, str) else ""
    if isinstance(node, str):
        node = parse(node)
    try:
        return _Evaluator(_scope(scope, current), text).run(node)
    except EvaluationError as exc:
        raise ExpressionError(text or to_text(node), 0, str(exc)) from None
    except RecursionError:
        raise ExpressionError(text or "…", 0, _("the expression is nested too deeply")) from None


def evaluate(node: Node | str, answers: Mapping[str, Any] | Scope, current: Any = None) -> Value:
    """Evaluate a syntax tree (or expression text) against answers (a mapping by question name,
    or a :class:`~neascn_desktop.surveys.expression_scope.Scope`); ``current`` is ``.``."""
    value = evaluate_value(node, answers, current)
    if isinstance(value, NodeSet):
        try:
            return unpack(value)
        except EvaluationError as exc:
            raise ExpressionError(node if isinstance(node, str) else to_text(node), 0,
                                  str(exc)) from None
    return value


def evaluate_boolean(node: Node | str, answers: Mapping[str, Any] | Scope,
                     current: Any = None) -> bool:
    value = evaluate_value(node, answers, current)
    try:
        return to_boolean(value)
    except EvaluationError as exc:
        raise ExpressionError(node if isinstance(node, str) else to_text(node), 0,
                              str(exc)) from None


__all__ = [
    "FUNCTIONS", "Binary", "Call", "Current", "ExpressionError", "Literal", "Negate", "Path",
    "Ref", "Value", "XDate", "answer_value", "check", "evaluate", "evaluate_boolean",
    "evaluate_value", "parse", "references", "to_boolean", "to_number", "to_string",
    "to_text", "tokenize", "uses_current",
]
