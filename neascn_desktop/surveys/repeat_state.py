"""What a tree of answers means for a form with repeats: relevance, checks and counts per instance.

:func:`evaluate_tree` extends :func:`~neascn_desktop.surveys.validation.evaluate_form` (which
judges the answers outside repeats) to every instance of every repeat: in an instance,
``${name}`` finds the instance's own answers first, then the enclosing instances', then the top
level's (ODK's relative references); each question gets the same type, required and constraint
checks as outside repeats; each repeat its ``repeat_count`` and ``neascn_min_count`` /
``neascn_max_count``.  Issues name their place in words ("Project 2 › Sector"), never by the
internal path (see ``docs/answers.md``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from neascn_desktop.i18n import N_, ngettext_in, translate_in
from neascn_desktop.surveys import expressions
from neascn_desktop.surveys.answer_tree import (
    INSTANCE_ID,
    Scope,
    canonical_path,
    is_instance_list,
    scopes_of,
)
from neascn_desktop.surveys.definition import Group, Node, Question, SurveyDefinition, SurveyError
from neascn_desktop.surveys.expression_scope import InstanceScope
from neascn_desktop.surveys.expression_scope import Scope as ExprScope
from neascn_desktop.surveys.validation import (
    FormState,
    _safe_boolean,
    calculated_value,
    evaluate_form,
    is_empty,
    normalize_answer,
)

SEPARATOR = " › "


@dataclass(frozen=True)
class TreeIssue:
    """A problem at one place of the tree: ``question`` is the canonical path (an answer key
    outside repeats, ``projects[@id=…]/sector`` inside), ``where`` the place in words,
    ``kind`` ``required``, ``constraint``, ``invalid`` or ``count``."""

    question: str
    kind: str
    message: str
    where: str

    @property
    def text(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class TreeState:
    """The state of a whole tree of answers (see :func:`evaluate_tree`).

    ``form`` is the state outside repeats; ``relevant`` and ``values`` hold the canonical
    paths of the relevant questions and repeats inside instances and their (calculated)
    values; ``issues`` lists every issue, those outside repeats first; ``required`` the
    canonical paths of the questions inside instances that are required now.
    """

    form: FormState
    issues: tuple[TreeIssue, ...]
    relevant: frozenset[str]
    values: Mapping[str, Any]
    answered: int
    answerable: int
    required: frozenset[str] = frozenset()

    def is_relevant(self, path: str) -> bool:
        return path in self.relevant or self.form.is_relevant(path)

    def issues_at(self, path: str) -> tuple[TreeIssue, ...]:
        """Issues of one answer, or of everything inside an instance or repeat path."""
        return tuple(i for i in self.issues
                     if i.question == path or i.question.startswith((f"{path}/", f"{path}[")))

    @property
    def complete(self) -> bool:
        return not self.issues

    @property
    def progress(self) -> float:
        return self.answered / self.answerable if self.answerable else 1.0


def _members(nodes: tuple[Node, ...], relevance: tuple[str, ...] = ()
             ) -> Iterator[tuple[Node, tuple[str, ...]]]:
    """Questions and repeats of one scope, each with the relevance of the groups around it."""
    for node in nodes:
        if isinstance(node, Group) and node.kind != "repeat":
            inner = (*relevance, node.relevant) if node.relevant else relevance
            yield from _members(node.children, inner)
        else:
            yield node, relevance


class _Walker:
    def __init__(self, definition: SurveyDefinition, language: str) -> None:
        self.definition = definition
        self.language = language
        self.scopes = scopes_of(definition)
        self.issues: list[TreeIssue] = []
        self.relevant: set[str] = set()
        self.values: dict[str, Any] = {}
        self.required: set[str] = set()
        self.answered = 0
        self.answerable = 0
        self.tree: Mapping[str, Any] = {}

    def label(self, node: Node) -> str:
        return node.label_in(self.language, self.definition.default_language)

    def at(self, context: Mapping[str, Any], chain: tuple[tuple[str, str], ...],
           own: str | None = None) -> InstanceScope:
        """Where an expression of an instance stands: ``position(..)``, ``../x``, dates and
        the node sets of nested repeats as in ODK (``docs/expressions.md``)."""
        return InstanceScope(self.definition, self.tree, context, where=chain, own=own,
                             language=self.language)

    def issue(self, path: str, kind: str, message: str, where: str) -> None:
        self.issues.append(TreeIssue(path, kind, message, where))

    def repeats(self, scope: Scope, nodes: tuple[Node, ...], values: Mapping[str, Any],
                context: Mapping[str, Any], chain: tuple[tuple[str, str], ...], words: str) -> None:
        """Every repeat of a scope: relevance, count rules, and each instance."""
        for node, relevance in _members(nodes):
            if not isinstance(node, Group):
                continue
            key = scope.key_of(node)
            path = canonical_path(chain, key)
            exprs = (*relevance, node.relevant) if node.relevant else relevance
            if not all(_safe_boolean(e, context, None, True) for e in exprs):
                continue
            self.relevant.add(path)
            items = values.get(key)
            instances: list[dict[str, Any]] = items if isinstance(items, list) and is_instance_list(
                items) else []
            self.counts(node, path, len(instances), context, words)
            inner = self.scopes[node.path]
            for position, item in enumerate(instances, start=1):
                number = translate_in(self.language, N_("{label} {number}")).format(
                    label=self.label(node), number=position)
                self.instance(inner, item, context, (*chain, (key, str(item[INSTANCE_ID]))),
                              f"{words}{SEPARATOR}{number}" if words else number)

    def counts(self, repeat: Group, path: str, count: int, context: Mapping[str, Any],
               words: str) -> None:
        label = self.label(repeat)
        where = f"{words}{SEPARATOR}{label}" if words else label
        wanted = _number(repeat.extra.get("repeat_count"), context)
        if wanted is not None and count != wanted:
            self.issue(path, "count", ngettext_in(
                self.language, "This needs exactly {count} entry; there are {actual}.",
                "This needs exactly {count} entries; there are {actual}.", wanted).format(
                count=wanted, actual=count), where)
            return
        low = _number(repeat.extra.get("neascn_min_count"), context)
        high = _number(repeat.extra.get("neascn_max_count"), context)
        if low is not None and count < low:
            self.issue(path, "count", ngettext_in(
                self.language, "This needs at least {count} entry; there are {actual}.",
                "This needs at least {count} entries; there are {actual}.", low).format(
                count=low, actual=count), where)
        if high is not None and count > high:
            self.issue(path, "count", ngettext_in(
                self.language, "This takes at most {count} entry; there are {actual}.",
                "This takes at most {count} entries; there are {actual}.", high).format(
                count=high, actual=count), where)

    def instance(self, scope: Scope, item: Mapping[str, Any], outer: Mapping[str, Any],
                 chain: tuple[tuple[str, str], ...], words: str) -> None:
        assert scope.repeat is not None
        members = [(node, rel) for node, rel in _members(scope.repeat.children)
                   if isinstance(node, Question)]
        context: dict[str, Any] = dict(outer)
        here = self.at(context, chain)  # sees ``context`` as it fills
        relevant: set[str] | None = None
        # Relevance may refer to later questions; a few passes reach the fixed point (one is
        # enough when nothing in the repeat has a relevance rule).
        conditional = any(q.relevant or rel for q, rel in members)
        for _pass in range(3 if conditional else 1):
            now: set[str] = set()
            for q, relevance in members:
                key = scope.key_of(q)
                exprs = (*relevance, q.relevant) if q.relevant else relevance
                value: Any = None
                if all(_safe_boolean(e, here.standing_on(key), None, True) for e in exprs):
                    now.add(key)
                    if q.is_calculated and q.calculation:
                        try:
                            value = calculated_value(expressions.evaluate(
                                expressions.parse(q.calculation), here.standing_on(key)))
                        except expressions.ExpressionError:
                            value = None
                    else:
                        value = item.get(key)
                for name in {q.name, key}:
                    if is_empty(value):
                        context.pop(name, None)
                    else:
                        context[name] = value
            if now == relevant:
                break
            relevant = now
        assert relevant is not None
        for q, _relevance in members:
            key = scope.key_of(q)
            if key not in relevant:
                continue
            path = canonical_path(chain, key)
            self.relevant.add(path)
            value = context.get(key)
            if not is_empty(value):
                self.values[path] = value
            if q.is_input:
                self.check(q, path, item.get(key), here.standing_on(key),
                           f"{words}{SEPARATOR}{self.label(q)}")
        self.repeats(scope, scope.repeat.children, item, context, chain, words)

    def check(self, q: Question, path: str, value: Any, context: Mapping[str, Any] | ExprScope,
              where: str) -> None:
        self.answerable += 1
        needed = bool(q.required and _safe_boolean(q.required, context, value, False))
        if needed:
            self.required.add(path)
        if not is_empty(value):
            self.answered += 1
            try:
                normalize_answer(self.definition, q, value)
            except SurveyError as exc:
                self.issue(path, "invalid", str(exc), where)
                return
        if needed and is_empty(value):
            message = _text_in(q.texts.get("required_message"), self.language,
                               self.definition.default_language)
            self.issue(path, "required", message or translate_in(
                self.language, N_("This question requires an answer.")), where)
            return
        if not is_empty(value) and q.constraint:
            try:
                ok = expressions.evaluate_boolean(expressions.parse(q.constraint), context, value)
            except expressions.ExpressionError as exc:
                self.issue(path, "invalid", str(exc), where)
                return
            if not ok:
                message = q.constraint_message_in(self.language, self.definition.default_language)
                self.issue(path, "constraint", message or translate_in(
                    self.language, N_("This answer is not allowed here.")), where)


def _text_in(texts: Mapping[str, str] | None, language: str, fallback: str) -> str:
    if not texts:
        return ""
    return texts.get(language) or texts.get(fallback) or texts.get("en") or ""


def _number(text: str | None, context: Mapping[str, Any]) -> int | None:
    """A count rule's value: a whole number, or an expression over the enclosing answers
    (``None`` when absent or not a number yet)."""
    if text is None or not str(text).strip():
        return None
    try:
        value = expressions.to_number(expressions.evaluate(expressions.parse(str(text)), context))
    except expressions.ExpressionError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return max(0, int(value))


def evaluate_tree(definition: SurveyDefinition, answers: Mapping[str, Any],
                  language: str = "en") -> TreeState:
    """Relevance, values and issues of a whole answer tree (messages in ``language``)."""
    form = evaluate_form(definition, answers, language)
    walker = _Walker(definition, language)
    walker.tree = answers
    for issue in form.issues:
        question = definition.question(issue.question) if definition.has_question(
            issue.question) else None
        walker.issue(issue.question, issue.kind, issue.message,
                     walker.label(question) if question is not None else issue.question)
    scopes = scopes_of(definition)
    if scopes[""].repeats:
        context = {k: v for k, v in answers.items() if not isinstance(v, list) or not v
                   or not isinstance(v[0], dict)}
        context.update(form.values)
        for key in [k for k in context if not form.is_relevant(k) and definition.has_question(k)]:
            context.pop(key)
        walker.repeats(scopes[""], definition.children, answers, context, (), "")
    return TreeState(form=form, issues=tuple(walker.issues), relevant=frozenset(walker.relevant),
                     values=walker.values, answered=form.answered + walker.answered,
                     answerable=form.answerable + walker.answerable,
                     required=frozenset(walker.required))
