"""Where an expression is evaluated: the answers it sees and the node it stands on.

JavaRosa evaluates an expression against the form's instance with a *context node* — the
question the expression belongs to, inside a particular instance of each enclosing repeat.
A :class:`Scope` is that: :class:`MappingScope` over a flat mapping of answers (the form pages
of a form without repeats, tests), :class:`FormScope` over a definition and an answer tree
with repeats, standing in one repeat instance (``${x}`` then means the ``x`` of the same
instance, ``../x`` and ``current()/../x`` too, ``position(..)`` its number, and ``${x}`` of a
repeat the expression is *not* inside is the node set of every instance's ``x``).

Answer tree (``docs/answers.md``): a repeat's answer (under its name) is a list of instances;
an instance is a mapping of its answers beside its ``"@id"`` (an ``"answers"`` mapping inside
is read too); see :func:`instance_answers`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from neascn_desktop.i18n import _
from neascn_desktop.surveys.expression_values import (
    EvaluationError,
    NodeSet,
    Scalar,
    XDate,
    parse_date_time,
)

if TYPE_CHECKING:
    from neascn_desktop.surveys.definition import Group, Question, SurveyDefinition

#: Keys of an instance that hold its identity, not answers.
INSTANCE_META_KEYS = frozenset({"@id", "id", "_id", "instance_id", "__id"})


def answer_value(answer: Any, kind: str | None = None) -> Scalar:
    """An answer as XPath sees it (JavaRosa's ``unpackValue``): absent -> '', numbers -> float,
    lists -> space-separated names, date/dateTime/time questions -> :class:`XDate`."""
    if answer is None:
        return ""
    if isinstance(answer, bool):
        return answer
    if isinstance(answer, int | float):
        return float(answer)
    if isinstance(answer, list | tuple):
        return " ".join(str(item) for item in answer)
    text = str(answer)
    if kind in ("date", "datetime", "time") and text:
        parsed = parse_date_time(text, base=date.today() if kind == "time" else None)
        if parsed is not None:
            return XDate(parsed.moment, has_time=kind != "date") if kind != "date" else \
                XDate(datetime(parsed.moment.year, parsed.moment.month, parsed.moment.day))
    return text


def instance_answers(instance: Any) -> Mapping[str, Any]:
    """The answers of one repeat instance: ``{"id": …, "answers": {…}}`` or the mapping itself."""
    if isinstance(instance, Mapping):
        inner = instance.get("answers")
        if isinstance(inner, Mapping):
            return inner
        return instance
    return {}


def _raw_instances(container: Mapping[str, Any], repeat: Group,
                   key: str | None = None) -> list[Any] | tuple[Any, ...]:
    found = container.get(key) if key is not None else None
    if found is None:
        found = container.get(repeat.name)
    if found is None and repeat.path:
        found = container.get(repeat.path)
    if isinstance(found, Mapping):
        found = found.get("instances")
    return found if isinstance(found, list | tuple) else ()


def repeat_instances(container: Mapping[str, Any], repeat: Group,
                     key: str | None = None) -> list[Mapping[str, Any]]:
    """The instances of ``repeat`` inside one container (the top answers or an instance);
    ``key``: the repeat's key there (``docs/answers.md``), else its name or path."""
    return [instance_answers(item) for item in _raw_instances(container, repeat, key)]


def repeat_instance(container: Mapping[str, Any], repeat: Group, index: int,
                    key: str | None = None) -> Mapping[str, Any]:
    """Instance ``index`` (0-based) of ``repeat`` in a container; empty when there is none."""
    found = _raw_instances(container, repeat, key)
    return instance_answers(found[index]) if 0 <= index < len(found) else {}


class Scope:
    """A flat mapping of answers by question name (no repeats, values untyped)."""

    language = "en"
    form_version = ""

    def __init__(self, answers: Mapping[str, Any], current: Any = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.own: str | None = None
        self.answers = answers
        self._current = current
        self._clock = clock

    def standing_on(self, own: str | None) -> Scope:
        """The same scope for another question of the same instance (cheap: no lookups)."""
        other = self._clone()
        other.own = own
        return other

    def with_current(self, current: Any) -> Scope:
        """The same scope with ``.`` standing for ``current`` (a constraint's candidate value)."""
        other = self._clone()
        other._current = current
        return other

    def _clone(self) -> Scope:
        other = object.__new__(type(self))
        other.__dict__.update(self.__dict__)
        return other

    # -- nodes

    def ref(self, key: str) -> NodeSet:
        return NodeSet((answer_value(self.answers.get(key)),), (1,), (key,))

    def path(self, start: str, steps: Sequence[str]) -> NodeSet:
        """A path like ``../x`` or ``/data/group/x``: without a tree, its last name."""
        names = [s for s in steps if s not in ("..", ".")]
        if not names:
            return self.context()
        return self.ref(names[-1])

    def context(self) -> NodeSet:
        """``.`` and ``current()``: the question the expression belongs to."""
        return NodeSet((answer_value(self._current),), (1,), ("",))

    def position(self) -> float:
        return 1.0

    def indexed(self, target: str, pairs: Sequence[tuple[str, int]]) -> NodeSet:
        raise EvaluationError(_("indexed-repeat() needs a form with repeats"))

    # -- outside facts

    def now(self) -> datetime:
        return self._clock() if self._clock else datetime.now()

    def choice_label(self, value: str, question: str) -> str:
        return ""

    def pulldata(self, instance: str, column: str, key_column: str, key: str) -> str:
        return ""


@dataclass(frozen=True)
class _Frame:
    repeat: Group
    index: int  # 0-based
    answers: Mapping[str, Any]


def _child_repeat(index: _Index, frames: Sequence[_Frame], key: str) -> Group | None:
    """A repeat named by its stored key below the instance we stand in."""
    parent = frames[-1].repeat.path if frames else ""
    for repeat in index.repeats.values():
        inside = repeat.path.rsplit("/", 1)[0] if "/" in repeat.path else ""
        if index.stored.get(id(repeat)) == key and (inside == parent or inside.startswith(
                f"{parent}/") or not parent):
            return repeat
    return None


class FormScope(Scope):
    """A definition's answer tree, standing on question ``own`` in the repeat instances
    ``where``, outermost first: ``[(repeat path or name, 0-based index), …]`` or
    ``answer_tree``'s chains ``[(repeat key, instance id), …]``."""

    def __init__(self, definition: SurveyDefinition, answers: Mapping[str, Any],
                 where: Sequence[tuple[str, int | str]] = (), own: str | None = None,
                 current: Any = None, language: str = "en",
                 clock: Callable[[], datetime] | None = None,
                 pulldata: Callable[[str, str, str, str], str] | None = None) -> None:
        super().__init__(answers, current, clock)
        self.definition = definition
        self.own = own
        self.language = language
        self.form_version = definition.version
        self._pulldata = pulldata
        index = _index_of(definition)
        self._index = index
        frames: list[_Frame] = []
        container: Mapping[str, Any] = answers
        for repeat_key, at in where:
            repeat = index.repeats.get(repeat_key)
            if repeat is None:
                key_scope = _child_repeat(index, frames, repeat_key)
                repeat = key_scope
            if repeat is None:
                raise EvaluationError(_("the form has no repeat “{name}”").format(name=repeat_key))
            stored = index.stored.get(id(repeat))
            if isinstance(at, str):  # an instance id, as answer_tree's chains give it
                raw = _raw_instances(container, repeat, stored)
                position = next((i for i, item in enumerate(raw) if isinstance(item, Mapping)
                                 and item.get("@id") == at), -1)
            else:
                position = at
            container = repeat_instance(container, repeat, position, stored)
            frames.append(_Frame(repeat, position, container))
        self.frames = tuple(frames)

    def _container(self, depth: int) -> Mapping[str, Any]:
        return self.frames[depth - 1].answers if depth else self.answers

    def _expand(self, chain: Sequence[Group], pin: int | None = None,
                ) -> tuple[list[Mapping[str, Any]], list[int]]:
        """The containers holding a node inside ``chain`` (its repeats, outermost first) as
        seen from here, and the position of each innermost instance.  The instances we stand
        in are kept (JavaRosa's ``contextualize``) for repeats at most ``pin`` steps deep."""
        depth = 0
        while (depth < len(chain) and depth < len(self.frames)
               and self.frames[depth].repeat.path == chain[depth].path
               and (pin is None or len(chain[depth].path.split("/")) <= pin)):
            depth += 1
        containers = [self._container(depth)]
        positions = [self.frames[depth - 1].index + 1 if depth else 1]
        for repeat in chain[depth:]:
            next_containers: list[Mapping[str, Any]] = []
            next_positions: list[int] = []
            for container in containers:
                for i, instance in enumerate(repeat_instances(
                        container, repeat, self._index.stored.get(id(repeat)))):
                    next_containers.append(instance)
                    next_positions.append(i + 1)
            containers, positions = next_containers, next_positions
        return containers, positions

    def ref(self, key: str, pin: int | None = None) -> NodeSet:
        question = self._index.questions.get(key)
        if question is not None:
            chain = self._index.chains.get(question.key or question.name, ())
            containers, positions = self._expand(chain, pin)
            answer_key = self._index.stored.get(id(question), question.key or question.name)
            kind = _kind(question)
            values = tuple(answer_value(c.get(answer_key), kind) for c in containers)
            return NodeSet(values, tuple(positions), (answer_key,) * len(values))
        group = self._index.groups.get(key)
        if group is not None:
            chain = self._index.group_chains.get(group.path or group.name, ())
            containers, positions = self._expand(chain, pin)
            return NodeSet(("",) * len(containers), tuple(positions),
                           (group.path or group.name,) * len(containers))
        return super().ref(key)

    def _own_path(self) -> list[str]:
        if self.own is not None:
            question = self._index.questions.get(self.own)
            if question is not None and question.path:
                return question.path.split("/")
        if self.frames:
            return (self.frames[-1].repeat.path or self.frames[-1].repeat.name).split("/")
        return []

    def path(self, start: str, steps: Sequence[str]) -> NodeSet:
        pin: int | None = None
        if start == "/":
            parts: list[str] = []
            rest = list(steps[1:])  # the first step names the form's root
        else:
            parts = self._own_path()
            rest = list(steps)
            # A relative path keeps the instances of the levels it did not climb out of.
            pin = len(parts) - sum(1 for step in rest if step == "..")
        for step in rest:
            if step == "..":
                if not parts:
                    return NodeSet(())
                parts.pop()
            elif step != ".":
                parts.append(step)
        if not parts:
            return NodeSet(("",), (1,), ("",))
        target = "/".join(parts)
        question = self._index.by_path.get(target)
        if question is not None:
            return self.ref(question.key or question.name, pin)
        group = self._index.group_by_path.get(target)
        if group is not None:
            return self.ref(group.path or group.name, pin)
        return NodeSet(())

    def context(self) -> NodeSet:
        if self.own is not None and self._current is None:
            return self.ref(self.own)
        values = (answer_value(self._current, self._own_kind()),)
        position = self.frames[-1].index + 1 if self.frames else 1
        return NodeSet(values, (position,), (self.own or "",))

    def _own_kind(self) -> str | None:
        question = self._index.questions.get(self.own) if self.own else None
        return _kind(question) if question else None

    def position(self) -> float:
        return float(self.frames[-1].index + 1) if self.frames else 1.0

    def indexed(self, target: str, pairs: Sequence[tuple[str, int]]) -> NodeSet:
        """``indexed-repeat(target, repeat1, i1, …)``: the target in instance i1 of repeat1 …"""
        question = self._index.questions.get(target)
        if question is None:
            raise EvaluationError(_("indexed-repeat(): “{name}” is not a question").format(
                name=target))
        chain = self._index.chains.get(question.key or question.name, ())
        wanted = {}
        for repeat_key, position in pairs:
            repeat = self._index.repeats.get(repeat_key)
            if repeat is None or repeat not in chain:
                raise EvaluationError(_("indexed-repeat(): “{repeat}” is not a repeat holding "
                                        "“{name}”").format(repeat=repeat_key, name=target))
            wanted[repeat.path] = max(position, 1) - 1
        container: Mapping[str, Any] = self.answers
        for depth, repeat in enumerate(chain):
            if repeat.path in wanted:
                index = wanted[repeat.path]
            elif depth < len(self.frames) and self.frames[depth].repeat.path == repeat.path:
                index = self.frames[depth].index
            else:
                index = 0
            stored = self._index.stored.get(id(repeat))
            if not 0 <= index < len(_raw_instances(container, repeat, stored)):
                return NodeSet(())
            container = repeat_instance(container, repeat, index, stored)
        answer_key = self._index.stored.get(id(question), question.key or question.name)
        return NodeSet((answer_value(container.get(answer_key), _kind(question)),), (1,),
                       (answer_key,))

    def choice_label(self, value: str, question: str) -> str:
        name = question.strip()
        if name.startswith("${") and name.endswith("}"):
            name = name[2:-1]
        else:
            name = name.rstrip("/").rsplit("/", 1)[-1]
        q = self._index.questions.get(name)
        if q is None:
            return ""
        choice = self.definition.choice(q, value)
        if choice is None:
            return ""
        return choice.label_in(self.language, self.definition.default_language)

    def pulldata(self, instance: str, column: str, key_column: str, key: str) -> str:
        if self._pulldata is not None:
            return self._pulldata(instance, column, key_column, key)
        from neascn_desktop.surveys.form_media import pulldata

        return pulldata(self.definition, instance, column, key_column, key)


class InstanceScope(FormScope):
    """A :class:`FormScope` whose answers of the scopes it stands in come from ``visible`` —
    the relevance-filtered answers of the instance and of the scopes around it (a question
    that is not relevant counts as empty, as in ODK) — while answers of repeats below or
    beside it come from the tree.  What the tree walk of ``repeat_state`` evaluates with."""

    def __init__(self, definition: SurveyDefinition, answers: Mapping[str, Any],
                 visible: Mapping[str, Any], where: Sequence[tuple[str, int | str]] = (),
                 own: str | None = None, current: Any = None, language: str = "en") -> None:
        super().__init__(definition, answers, where=where, own=own, current=current,
                         language=language)
        self.visible = visible

    def ref(self, key: str, pin: int | None = None) -> NodeSet:
        question = self._index.questions.get(key)
        if question is not None:
            chain = self._index.chains.get(question.key or question.name, ())
            depth = len(chain)
            if depth <= len(self.frames) and all(
                    self.frames[i].repeat.path == chain[i].path for i in range(depth)) and (
                    pin is None or depth == 0 or len(chain[-1].path.split("/")) <= pin):
                value = self.visible.get(key)
                if value is None and question.key and question.key != key:
                    value = self.visible.get(question.key)
                position = self.frames[depth - 1].index + 1 if depth else 1
                return NodeSet((answer_value(value, _kind(question)),), (position,), (key,))
        return super().ref(key, pin)


# --------------------------------------------------------------------------- definition index


def _kind(question: Question) -> str:
    """The question's type as XPath types its value (``start``/``end`` are dateTime)."""
    if question.type == "metadata":
        xlsform = question.extra.get("xlsform_type", question.name)
        return {"start": "datetime", "end": "datetime", "today": "date"}.get(xlsform, "text")
    return question.type


@dataclass(frozen=True)
class _Index:
    questions: Mapping[str, Question]
    by_path: Mapping[str, Question]
    chains: Mapping[str, tuple[Group, ...]]
    groups: Mapping[str, Group]
    group_by_path: Mapping[str, Group]
    group_chains: Mapping[str, tuple[Group, ...]]
    repeats: Mapping[str, Group]
    #: id(node) -> the key its answer (or its instances) is stored under in its scope.
    stored: Mapping[int, str]


_INDEXES: dict[int, tuple[Any, _Index]] = {}


def _index_of(definition: SurveyDefinition) -> _Index:
    cached = _INDEXES.get(id(definition))
    if cached is not None and cached[0] is definition:
        return cached[1]
    from neascn_desktop.surveys.definition import Group

    questions: dict[str, Question] = {}
    by_path: dict[str, Question] = {}
    chains: dict[str, tuple[Group, ...]] = {}
    groups: dict[str, Group] = {}
    group_by_path: dict[str, Group] = {}
    group_chains: dict[str, tuple[Group, ...]] = {}
    repeats: dict[str, Group] = {}

    def visit(nodes: Iterator[Any], chain: tuple[Group, ...]) -> None:
        for node in nodes:
            if isinstance(node, Group):
                key = node.path or node.name
                inner = chain + (node,) if node.kind == "repeat" else chain
                groups.setdefault(node.name, node)
                groups[key] = node
                group_by_path[key] = node
                group_chains[key] = inner
                if node.kind == "repeat":
                    repeats.setdefault(node.name, node)
                    repeats[key] = node
                visit(iter(node.children), inner)
            else:
                key = node.key or node.name
                questions[key] = node
                questions.setdefault(node.name, node)
                by_path[node.path or node.name] = node
                chains[key] = chain

    visit(iter(definition.children), ())
    stored: dict[int, str] = {}
    scopes = getattr(definition, "answer_scopes", None)
    if isinstance(scopes, Mapping):
        for scope in scopes.values():
            for key, member in (*scope.questions.items(), *scope.repeats.items()):
                stored[id(member)] = key
    index = _Index(questions, by_path, chains, groups, group_by_path, group_chains, repeats,
                   stored)
    if len(_INDEXES) > 64:
        _INDEXES.clear()
    _INDEXES[id(definition)] = (definition, index)
    return index


def repeat_chain(definition: SurveyDefinition, key: str) -> tuple[Group, ...]:
    """The repeats enclosing a question or group, outermost first."""
    index = _index_of(definition)
    if key in index.chains:
        return index.chains[key]
    return index.group_chains.get(key, ())

