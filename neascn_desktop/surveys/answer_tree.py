"""Answers as a tree: where each answer of a form lives, and the paths that name it.

A submission's ``answers`` object holds the answers outside repeats by answer key (as it
always did) and each repeat as a list of *instances*; an instance is an object with a stable
id under ``"@id"`` (a UUID, so instances added on two devices never collide) and the answers
of the repeat's questions, nested repeats again as lists.  The format is specified in
``docs/answers.md``; this module holds the scopes (which keys are answered where), the paths
(``projects[2]/sector``, ``projects[@id=…]/name``) and the walks over a tree.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from neascn_desktop.i18n import _, ngettext
from neascn_desktop.surveys.definition import Group, Node, Question, SurveyDefinition, SurveyError

#: The key of an instance's id inside its object (no question name starts with ``@``).
INSTANCE_ID = "@id"
#: Deepest nesting of repeats in an answer tree (a repeat in a repeat is depth 2).
MAX_REPEAT_DEPTH = 8
#: Most instances one repeat may hold, and most answers (every value, instances' included)
#: one submission may hold.
MAX_INSTANCES = 1_000
MAX_ANSWERS = 20_000
INSTANCE_ID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_STEP_RE = re.compile(r"(?P<key>[^\[\]]+)(?:\[(?P<selector>[^\[\]]*)\])?")


def new_instance_id() -> str:
    return str(uuid.uuid4())


def is_instance_id(value: Any) -> bool:
    return isinstance(value, str) and INSTANCE_ID_RE.fullmatch(value) is not None


def is_instance_list(value: Any) -> bool:
    """A repeat's answer: a list whose items are all objects carrying an instance id (or empty)."""
    return isinstance(value, list) and all(
        isinstance(item, dict) and INSTANCE_ID in item for item in value)


# =========================================================================== scopes


@dataclass(frozen=True)
class Scope:
    """The members answered in one place: the top level, or one instance of a repeat.

    ``questions`` and ``repeats`` map answer keys to their nodes.  At the top level a question's
    key is its :attr:`Question.key` (unchanged from flat forms); inside a repeat it is the
    question's name, or its path below the repeat where two members share a name.  A repeat's
    key is its name (its path below the scope if that name is taken).
    """

    repeat: Group | None
    questions: Mapping[str, Question] = field(default_factory=dict)
    repeats: Mapping[str, Group] = field(default_factory=dict)
    depth: int = 0
    #: The key of each member by ``id(node)`` (``key_of`` is asked per answer per instance).
    keys: Mapping[int, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return self.repeat.path if self.repeat is not None else ""

    def own_key(self, text: str) -> str:
        """The key for ``text``: a key itself, or a member's path below the scope
        (``details/note_text`` for ``note_text`` in a group ``details`` of the repeat)."""
        if text in self.questions or text in self.repeats:
            return text
        wanted = f"{self.path}/{text}" if self.path else text
        members: list[tuple[str, Node]] = [*self.questions.items(), *self.repeats.items()]
        return next((key for key, member in members if member.path == wanted), text)

    def key_of(self, node: Node) -> str:
        return self.keys[id(node)]


def _members(nodes: tuple[Node, ...]) -> Iterator[Node]:
    """Questions and repeats of one scope: groups are looked into, repeats are not."""
    for node in nodes:
        if isinstance(node, Group) and node.kind != "repeat":
            yield from _members(node.children)
        else:
            yield node


def build_scopes(definition: SurveyDefinition) -> dict[str, Scope]:
    """Every scope of a definition by the path of its repeat ('' for the top level)."""
    scopes: dict[str, Scope] = {}

    def build(repeat: Group | None, nodes: tuple[Node, ...], depth: int) -> None:
        members = list(_members(nodes))
        prefix = f"{repeat.path}/" if repeat is not None else ""
        names: dict[str, int] = {}
        for node in members:
            names[node.name] = names.get(node.name, 0) + 1

        def local(node: Node) -> str:
            if names[node.name] == 1:
                return node.name
            return node.path[len(prefix):] if node.path.startswith(prefix) else node.path

        questions: dict[str, Question] = {}
        repeats: dict[str, Group] = {}
        for node in members:
            if isinstance(node, Group):
                repeats[local(node)] = node
            elif repeat is None:
                questions[node.key or node.name] = node
            else:
                questions[local(node)] = node
        for key in list(repeats):
            if key in questions:  # a repeat named like a top-level question's key: its path
                repeats[repeats[key].path] = repeats.pop(key)
        keys = {id(node): key for key, node in [*questions.items(), *repeats.items()]}
        scopes[repeat.path if repeat is not None else ""] = Scope(repeat, questions, repeats, depth, keys)
        for child in repeats.values():
            build(child, child.children, depth + 1)

    build(None, definition.children, 0)
    return scopes


def scopes_of(definition: SurveyDefinition) -> dict[str, Scope]:
    return definition.answer_scopes


def repeat_depth(definition: SurveyDefinition) -> int:
    """How deep repeats nest in a definition (0: no repeats)."""
    return max(s.depth for s in scopes_of(definition).values())


# =========================================================================== paths


class PathError(SurveyError):
    """An answer path that does not name anything in the form or in the answers."""


@dataclass(frozen=True)
class Step:
    """One step of a path: a key and, for a repeat, which instance (``selector``).

    ``selector`` is ``None`` (no instance: the last step, a question), an index from 1,
    a negative index from the end, ``"+"`` (a new instance) or ``"@id=…"``.
    """

    key: str
    selector: int | str | None = None

    def text(self) -> str:
        return self.key if self.selector is None else f"{self.key}[{self.selector}]"


def parse_path(text: str) -> tuple[Step, ...]:
    """Split ``projects[2]/partners[@id=…]/name`` into steps (keys may hold ``/`` too: a step
    without a selector is joined with the next ones until the scope knows the key)."""
    text = text.strip()
    steps: list[Step] = []
    for part in text.split("/"):
        match = _STEP_RE.fullmatch(part.strip())
        if not match:
            raise PathError(_("“{path}” is not an answer path; write it like "
                              "projects[2]/sector or projects[+]/name.").format(path=text))
        raw = match["selector"]
        selector: int | str | None = None
        if raw is not None:
            raw = raw.strip()
            if raw == "+" or raw.startswith("@id="):
                selector = raw
            else:
                try:
                    selector = int(raw)
                except ValueError:
                    raise PathError(_("“{path}”: “[{selector}]” is not an instance; write a "
                                      "number from 1, -1 for the last, + for a new one or "
                                      "@id=… .").format(path=text, selector=raw)) from None
                if selector == 0:
                    raise PathError(_("“{path}”: instances are counted from 1.").format(path=text))
        steps.append(Step(match["key"].strip(), selector))
    return tuple(steps)


@dataclass(frozen=True)
class Location:
    """Where a path leads: the repeats and instance ids on the way, and the question (or, for
    a path ending on a repeat, ``question`` is ``None`` and ``repeat`` names it)."""

    instances: tuple[tuple[str, str], ...]  # (repeat key, instance id) from the outside in
    key: str
    question: Question | None
    repeat: Group | None
    scope: Scope
    #: Instance ids the path asks to add (``[+]``) on the way; the caller makes the instances.
    added: tuple[str, ...] = ()
    #: The path ends on one instance (``projects[2]``): ``instances`` ends with it.
    instance: bool = False

    def canonical(self) -> str:
        """The path that names the answer for good: instance ids, never positions."""
        steps = [f"{key}[@id={iid}]" for key, iid in self.instances]
        return "/".join([*steps, self.key])


def canonical_path(instances: tuple[tuple[str, str], ...], key: str) -> str:
    return "/".join([*(f"{k}[@id={iid}]" for k, iid in instances), key])


def _pick(items: list[dict[str, Any]], selector: int | str, path: str, key: str) -> int:
    """The position of the instance a selector names; raises a sentence naming the path."""
    if not items:
        raise PathError(_("{path}: {repeat} has no instances yet.").format(path=path, repeat=key))
    if isinstance(selector, int):
        index = selector - 1 if selector > 0 else len(items) + selector
        if 0 <= index < len(items):
            return index
        raise PathError(ngettext(
            "{path}: {repeat} has {count} instance; there is no instance {index}.",
            "{path}: {repeat} has {count} instances; there is no instance {index}.",
            len(items)).format(path=path, repeat=key, count=len(items), index=selector))
    wanted = str(selector)[len("@id="):]
    for index, item in enumerate(items):
        if item.get(INSTANCE_ID) == wanted:
            return index
    raise PathError(_("{path}: {repeat} has no instance with the id {id}.").format(
        path=path, repeat=key, id=wanted))


def locate(definition: SurveyDefinition, answers: Mapping[str, Any], text: str,
           *, create: bool = False) -> Location:
    """Resolve a path against the form and the answers.

    Positions and ``-1`` become instance ids; ``[+]`` is only allowed with ``create`` and
    gives a fresh id (listed in ``added``; the caller makes the instance).
    """
    steps = parse_path(text)
    scopes = scopes_of(definition)
    scope = scopes[""]
    current: Mapping[str, Any] | None = answers
    instances: list[tuple[str, str]] = []
    added: list[str] = []
    pending = ""
    for number, step in enumerate(steps):
        key = f"{pending}/{step.key}" if pending else step.key
        last = number == len(steps) - 1
        if step.selector is None and not last:
            pending = key
            continue
        pending = ""
        if step.selector is None:
            key = scope.own_key(key)
            if key in scope.questions:
                return Location(tuple(instances), key, scope.questions[key], None, scope,
                                tuple(added))
            if key in scope.repeats:
                return Location(tuple(instances), key, None, scope.repeats[key], scope,
                                tuple(added))
            raise _unknown(definition, scope, text, key)
        key = scope.own_key(key)
        if key not in scope.repeats:
            if key in scope.questions:
                raise PathError(_("{path}: {name} is not a repeat; only repeats take […].").format(
                    path=text, name=key))
            raise _unknown(definition, scope, text, key)
        repeat = scope.repeats[key]
        items = current.get(key) if current is not None else None
        listed: list[dict[str, Any]] = items if is_instance_list(items) else []  # type: ignore[assignment]
        if step.selector == "+":
            if not create:
                raise PathError(_("{path}: [+] adds an instance; it is only allowed when setting "
                                  "an answer.").format(path=text))
            instance_id = new_instance_id()
            added.append(instance_id)
            current = None
        else:
            index = _pick(listed, step.selector, text, key)
            instance_id = str(listed[index][INSTANCE_ID])
            current = listed[index]
        instances.append((key, instance_id))
        if last:
            return Location(tuple(instances), key, None, repeat, scope, tuple(added), instance=True)
        scope = scopes[repeat.path]
    raise PathError(_("“{path}” is not an answer path; write it like "
                      "projects[2]/sector or projects[+]/name.").format(path=text))


def _unknown(definition: SurveyDefinition, scope: Scope, path: str, key: str) -> PathError:
    head = next((r for r in scope.repeats if key.startswith(f"{r}/")), None)
    if head is not None:
        return PathError(_("{path}: {repeat} is a repeat; say which instance, e.g. "
                           "{repeat}[1]/{rest} (or [+] for a new one).").format(
            path=path, repeat=head, rest=key[len(head) + 1:]))
    if scope.repeat is None:
        inner = [k for s in scopes_of(definition).values() if s.repeat is not None
                 for k in s.questions if k == key]
        if inner:
            where = next(s.repeat for s in scopes_of(definition).values()
                         if s.repeat is not None and key in s.questions)
            assert where is not None
            return PathError(_("{path}: {name} is asked once per instance of {repeat}; write "
                               "{repeat}[1]/{name} (or [+] for a new instance).").format(
                path=path, name=key, repeat=where.name))
        return PathError(_("The survey {form} has no question named {name}.").format(
            form=definition.form_id, name=key))
    return PathError(_("{path}: {repeat} has no question named {name}.").format(
        path=path, repeat=scope.repeat.name, name=key))


# =========================================================================== walking


@dataclass(frozen=True)
class AnswerAt:
    """One answered value of a tree: where (instances on the way), its key and question."""

    instances: tuple[tuple[str, str], ...]
    key: str
    question: Question | None
    value: Any

    @property
    def path(self) -> str:
        return canonical_path(self.instances, self.key)


def walk_answers(definition: SurveyDefinition | None, answers: Mapping[str, Any]) -> Iterator[AnswerAt]:
    """Every answer of a tree, instances' answers included (``question`` is ``None`` for a key
    the definition does not know, or with no definition)."""
    scopes = scopes_of(definition) if definition is not None else None

    def visit(values: Mapping[str, Any], scope: Scope | None,
              chain: tuple[tuple[str, str], ...]) -> Iterator[AnswerAt]:
        for key, value in values.items():
            if key == INSTANCE_ID:
                continue
            repeat = scope.repeats.get(key) if scope is not None else None
            if is_instance_list(value) and (scope is None or repeat is not None or value):
                inner = scopes[repeat.path] if scopes is not None and repeat is not None else None
                for item in value:
                    yield from visit(item, inner, (*chain, (key, str(item[INSTANCE_ID]))))
                continue
            question = scope.questions.get(key) if scope is not None else None
            yield AnswerAt(chain, key, question, value)

    yield from visit(answers, scopes[""] if scopes is not None else None, ())


def count_answers(answers: Mapping[str, Any]) -> int:
    """Answers in a tree, instances' answers included (the bound of :data:`MAX_ANSWERS`)."""
    total = 0
    stack: list[Mapping[str, Any]] = [answers]
    while stack:
        values = stack.pop()
        for key, value in values.items():
            if key == INSTANCE_ID:
                continue
            if type(value) is list and value and type(value[0]) is dict:
                stack.extend(v for v in value if isinstance(v, dict))
            else:
                total += 1
    return total


def instances_of(answers: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    value = answers.get(key)
    return list(value) if isinstance(value, list) and is_instance_list(value) else []


def find_instance(answers: Mapping[str, Any],
                  chain: tuple[tuple[str, str], ...]) -> dict[str, Any] | None:
    """The instance object at the end of a chain of (repeat key, id), or ``None``."""
    current: Mapping[str, Any] = answers
    found: dict[str, Any] | None = None
    for key, instance_id in chain:
        found = next((i for i in instances_of(current, key) if i.get(INSTANCE_ID) == instance_id), None)
        if found is None:
            return None
        current = found
    return found


# =========================================================================== edits (pure)


def _edited(answers: Mapping[str, Any], chain: tuple[tuple[str, str], ...],
            change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """A copy of ``answers`` with ``change`` applied to the object at the end of ``chain`` (the
    top level for an empty chain); objects on the way are copied, the rest is shared."""
    top = dict(answers)
    current = top
    for key, instance_id in chain:
        items = [dict(i) if i.get(INSTANCE_ID) == instance_id else i for i in instances_of(current, key)]
        found = next((i for i in items if i.get(INSTANCE_ID) == instance_id), None)
        if found is None:
            raise PathError(_("{repeat} has no instance with the id {id}.").format(
                repeat=key, id=instance_id))
        current[key] = items
        current = found
    change(current)
    return top


def with_instance(answers: Mapping[str, Any], parent: tuple[tuple[str, str], ...], key: str,
                  instance_id: str | None = None, position: int | None = None) -> tuple[dict[str, Any], str]:
    """A copy with a new, empty instance of the repeat ``key`` inside ``parent`` (appended, or
    at ``position`` counted from 1); returns the copy and the new instance's id."""
    new_id = instance_id or new_instance_id()

    def add(target: dict[str, Any]) -> None:
        items = instances_of(target, key)
        if len(items) >= MAX_INSTANCES:
            raise PathError(_("{repeat} has {limit} instances already, the most one repeat may "
                              "hold.").format(repeat=key, limit=MAX_INSTANCES))
        index = len(items) if position is None else max(0, min(len(items), position - 1))
        items.insert(index, {INSTANCE_ID: new_id})
        target[key] = items

    return _edited(answers, parent, add), new_id


def without_instance(answers: Mapping[str, Any], chain: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """A copy without the instance at the end of ``chain`` (its answers and nested repeats)."""
    *parent, (key, instance_id) = chain

    def remove(target: dict[str, Any]) -> None:
        items = [i for i in instances_of(target, key) if i.get(INSTANCE_ID) != instance_id]
        if items:
            target[key] = items
        else:
            target.pop(key, None)

    return _edited(answers, tuple(parent), remove)


def with_instance_moved(answers: Mapping[str, Any], chain: tuple[tuple[str, str], ...],
                        position: int) -> dict[str, Any]:
    """A copy with the instance at the end of ``chain`` moved to ``position`` (from 1; beyond
    the end is the end)."""
    *parent, (key, instance_id) = chain

    def move(target: dict[str, Any]) -> None:
        items = instances_of(target, key)
        moving = next(i for i in items if i.get(INSTANCE_ID) == instance_id)
        items.remove(moving)
        items.insert(max(0, min(len(items), position - 1)), moving)
        target[key] = items

    return _edited(answers, tuple(parent), move)


def with_value(answers: Mapping[str, Any], location: Location, value: Any) -> dict[str, Any]:
    """A copy with ``value`` (already checked; ``None`` clears) at a question's location;
    instances the path asked for (``[+]``) are made on the way."""
    result: Mapping[str, Any] = answers
    chain: tuple[tuple[str, str], ...] = ()
    for key, instance_id in location.instances:
        if instance_id in location.added:
            result, _new = with_instance(result, chain, key, instance_id)
        chain = (*chain, (key, instance_id))

    def put(target: dict[str, Any]) -> None:
        if value is None:
            target.pop(location.key, None)
        else:
            target[location.key] = value

    return _edited(result, chain, put)
