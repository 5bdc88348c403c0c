"""Realistic, reproducible demo data for a profile (``neascn demo``, the GUI's Help menu).

Each city gets a hidden "maturity" drawn from the seed; answers follow it
with some noise, so scores differ between cities and domains the way real
surveys do.  On a field (or task-force) device the submissions are made on this
device; at the secretariat they are attributed to a few simulated field devices
(revisions with their own device ids, added as if imported) plus one made here,
and a framework draft is added when the framework room offers one.  The same
seed gives the same submissions (ids and answers); running it again adds
nothing twice.
"""

from __future__ import annotations

import random
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from neascn_desktop import replica
from neascn_desktop.changes import Changes
from neascn_desktop.identity.profile import Profile
from neascn_desktop.replica.clock import format_clock
from neascn_desktop.store.database import Database
from neascn_desktop.surveys import service
from neascn_desktop.surveys.definition import (
    BUILTIN_FORM_ID,
    Question,
    SurveyDefinition,
    SurveyError,
)
from neascn_desktop.surveys.validation import evaluate_form, is_empty, normalize_answer

SIMULATED_DEVICES = (
    ("demo-field-ulaanbaatar", "Bat-Erdene Tsend"),
    ("demo-field-busan", "Kim Min-ji"),
    ("demo-field-harbin", "Li Wei"),
)
_BASE_TIME = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_TEXT_ANSWERS = (
    "Interview with the smart city division and the IT department.",
    "Figures confirmed with the budget office.",
    "Pilot projects run with a national ministry; scale-up planned.",
    "Data portal exists but few datasets are updated regularly.",
)


_RESPONDENTS = {
    "KR": ("Park Ji-hoon", "Lee Soo-jin", "Choi Hyun-woo"),
    "CN": ("Zhang Wei", "Wang Fang", "Liu Yang"),
    "JP": ("Sato Haruto", "Suzuki Yui", "Takahashi Ren"),
    "MN": ("Ganbold Enkhjargal", "Batbayar Oyuntsetseg", "Tumurbaatar Bold"),
    "RU": ("Ivan Petrov", "Olga Smirnova", "Dmitry Volkov"),
}
_POSITIONS = ("Director, Smart City Division", "Chief Smart City Officer",
              "Deputy Head, Digital Transformation Office", "Senior Planner, Urban Policy Bureau")
_DEPARTMENTS = ("Smart City Policy Bureau", "Digital Transformation Office",
                "Urban Planning Department", "Information and Communication Department")


def _text_answer(rng: random.Random, name: str, city: service.City) -> str:
    """Plausible free text for the built-in survey's text questions (generic text otherwise)."""
    person = rng.choice(_RESPONDENTS.get(city.country, _RESPONDENTS["KR"]))
    mailbox = person.split()[-1].lower().replace("-", "")
    if name == "resp_name":
        return person
    if name == "resp_position":
        return rng.choice(_POSITIONS)
    if name == "resp_department":
        return rng.choice(_DEPARTMENTS)
    if name.endswith("email"):
        return f"{mailbox}@{city.id}.example.org"
    if name == "net_focal_contact":
        return f"{person}, smartcity@{city.id}.example.org"
    if name.endswith("_other"):
        return rng.choice(("Flood early warning", "Heritage conservation", "Winter road safety"))
    return rng.choice(_TEXT_ANSWERS)


@dataclass(frozen=True)
class DemoReport:
    created: int
    skipped: int
    finalized: int
    simulated_devices: int
    framework: bool
    changes: Changes

    def to_dict(self) -> dict[str, Any]:
        return {"created": self.created, "skipped": self.skipped, "finalized": self.finalized,
                "simulated_devices": self.simulated_devices, "framework": self.framework}


def _answer(rng: random.Random, definition: SurveyDefinition, q: Question, maturity: float,
            city: service.City, day: datetime) -> Any:
    choices = definition.choices_for(q)
    scored = [c for c in choices if c.score is not None]
    if q.type in ("scale", "select_one", "yes_no"):
        unknown = [c for c in choices if c.score is None]
        if unknown and rng.random() < 0.06:
            return unknown[0].name
        if scored:
            target = min(100.0, max(0.0, rng.gauss(maturity * 100, 18)))
            return min(scored, key=lambda c: abs((c.score or 0) - target)).name
        return rng.choice(choices).name if choices else None
    if q.type == "select_multiple":
        picked = [c.name for c in choices if c.score is not None and rng.random() < maturity]
        return picked or ([rng.choice(choices).name] if choices else None)
    if q.type in ("integer", "decimal"):
        if "population" in q.name and city.population:
            return city.population if q.type == "integer" else float(city.population)
        if q.thresholds:
            t = q.thresholds
            level = maturity if not q.thresholds_descending else 1 - maturity
            low, high = t[0] * 0.5, t[3] * 1.3
            value = low + (high - low) * min(1.0, max(0.0, rng.gauss(level, 0.15)))
        else:
            value = rng.uniform(0, 100) * maturity
        return int(round(value)) if q.type == "integer" else round(value, 1)
    if q.type == "date":
        return day.date().isoformat()
    if q.type == "text":
        return _text_answer(rng, q.name, city)
    return None


def demo_answers(rng: random.Random, definition: SurveyDefinition, city: service.City,
                 maturity: float, completeness: float, day: datetime) -> dict[str, Any]:
    """Answers for one city that respect types, relevance and constraints."""
    answers: dict[str, Any] = {}
    for q in definition.questions:
        if not q.is_input or q.type == "attachment" or rng.random() > completeness:
            continue
        value = _answer(rng, definition, q, maturity, city, day)
        if is_empty(value):
            continue
        answers[q.name] = normalize_answer(definition, q, value)
    # Drop what the form would not ask or accept.
    for _round in range(3):
        state = evaluate_form(definition, answers)
        bad = {i.question for i in state.issues if i.kind != "required"}
        answers = {k: v for k, v in answers.items() if state.is_relevant(k) and k not in bad}
        if not bad:
            break
    return answers


_PROJECTS = (
    ("Bus rapid transit line", "transport"), ("Smart street lighting", "energy"),
    ("District heating modernisation", "energy"), ("Air-quality sensor network", "air_quality"),
    ("Integrated operations centre", "digital_infrastructure"), ("Smart waste collection", "waste"),
    ("Open data portal", "e_government"), ("Leak detection in the water network", "water"),
    ("Visitor information app", "tourism"), ("Telemedicine for outlying districts", "health"),
)


def demo_projects(rng: random.Random, definition: SurveyDefinition, city: service.City,
                  maturity: float) -> dict[str, Any]:
    """A project pipeline (the ``projects`` repeat of 2026.2): more projects, further prepared,
    in more mature cities; nothing for a form without that repeat."""
    repeat = definition.answer_scopes[""].repeats.get("projects")
    if repeat is None:
        return {}
    scope = definition.answer_scopes[repeat.path]
    if not {"proj_name", "proj_sector", "proj_stage"} <= set(scope.questions):
        return {}
    stages = [c.name for c in definition.choices_for(scope.questions["proj_stage"])]
    sources = [c.name for c in definition.choices_for(scope.questions["proj_financing"])] if (
        "proj_financing" in scope.questions) else []
    items = []
    for name, sector in rng.sample(_PROJECTS, k=rng.randint(0, 1 + round(maturity * 4))):
        item: dict[str, Any] = {
            "@id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "proj_name": f"{city.name_in('en')}: {name}", "proj_sector": sector,
            "proj_stage": stages[min(len(stages) - 1, int(rng.random() * maturity * len(stages)))]}
        if sources and "proj_investment" in scope.questions:
            item["proj_financing"] = sorted(set(rng.sample(sources[:-1], k=rng.randint(1, 2))),
                                            key=sources.index)
            item["proj_investment"] = round(rng.uniform(2, 400), 1)
            item["proj_currency"] = "usd"
        if city.latitude is not None and city.longitude is not None and "proj_location" in scope.questions:
            item["proj_location"] = (f"{city.latitude + rng.uniform(-0.05, 0.05):.5f} "
                                     f"{city.longitude + rng.uniform(-0.05, 0.05):.5f}")
        items.append(item)
    return {"projects": items} if items else {}


def _complete_required(rng: random.Random, definition: SurveyDefinition, city: service.City,
                       answers: dict[str, Any], maturity: float, day: datetime) -> bool:
    """Fill required answers that are missing; True if the result passes finalize's checks."""
    for _round in range(4):
        state = evaluate_form(definition, answers)
        if not state.issues:
            return True
        for issue in state.issues:
            q = definition.question(issue.question)
            if issue.kind == "required" and q.type != "attachment":
                for _try in range(8):
                    value = _answer(rng, definition, q, maturity, city, day)
                    if is_empty(value):
                        continue
                    candidate = {**answers, q.name: normalize_answer(definition, q, value)}
                    if not evaluate_form(definition, candidate).issues_for(q.name):
                        answers[q.name] = candidate[q.name]
                        break
            elif issue.kind != "required":
                answers.pop(issue.question, None)
    return not evaluate_form(definition, answers).issues


def _evidence_file(folder: Path, city: service.City) -> Path:
    path = folder / f"{city.id}-smart-city-strategy.txt"
    path.write_text(f"{city.name_in('en')}: smart city strategy (demo evidence)\n", encoding="utf-8")
    return path


def _attach_evidence(db: Database, definition: SurveyDefinition, city: service.City,
                     answers: dict[str, Any], attachments: dict[str, Any], folder: Path) -> None:
    state = evaluate_form(definition, answers)
    for q in definition.questions:
        if q.type == "attachment" and state.is_relevant(q.name):
            info = service.store_attachment(db, _evidence_file(folder, city))
            answers[q.name] = info.sha256
            attachments[q.name] = info.to_dict()


def load_demo_report(db: Database, profile: Profile, *, cities: int = 6, seed: int = 1,
                     form_id: str = BUILTIN_FORM_ID) -> DemoReport:
    try:
        definition = service.get_definition(db, form_id)
    except SurveyError:
        others = service.list_definitions(db)
        if not others:
            raise
        definition = service.get_definition(db, others[0].form_id, others[0].version)
    all_cities = service.list_cities(db)
    rng = random.Random(seed)
    chosen = rng.sample(all_cities, min(cities, len(all_cities)))
    existing = {s.id for s in service.list_submissions(db)}
    created = skipped = finalized = 0
    changes = Changes()
    simulated: list[replica.Revision] = []
    secretariat = profile.role == "secretariat"
    with tempfile.TemporaryDirectory(prefix="neascn-demo-") as tmp:
        folder = Path(tmp)
        for index, city in enumerate(chosen):
            submission_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            maturity = min(0.95, max(0.08, rng.betavariate(2.2, 2.0)))
            wants_final = rng.random() < 0.7
            day = _BASE_TIME + timedelta(days=index * 2 + rng.randint(0, 1), hours=rng.randint(0, 6))
            completeness = 1.0 if wants_final else rng.uniform(0.35, 0.8)
            answers = demo_answers(rng, definition, city, maturity, completeness, day)
            # Its own generator: the pipeline never shifts the draws of the answers above.
            answers.update(demo_projects(random.Random(submission_id), definition, city, maturity))
            attachments: dict[str, Any] = {}
            if wants_final:
                _attach_evidence(db, definition, city, answers, attachments, folder)
                wants_final = _complete_required(rng, definition, city, answers, maturity, day)
            language = rng.choice(["en", "ko", "zh_Hans", "ja", "ru", "mn"])
            # Every draw from ``rng`` happens above this line, so a rerun stays in step.
            if submission_id in existing:
                skipped += 1
                continue
            simulated_here = secretariat and index < len(chosen) - 1
            device_id, enumerator = (
                SIMULATED_DEVICES[index % len(SIMULATED_DEVICES)] if simulated_here
                else (profile.device_id, profile.display_name))
            stamp = day.isoformat(timespec="seconds")
            payload = {
                "form_id": definition.form_id, "form_version": definition.version,
                "city_id": city.id, "status": "finalized" if wants_final else "in_progress",
                "answers": answers, "attachments": attachments, "enumerator": enumerator,
                "device_id": device_id, "started_at": stamp,
                "updated_at": (day + timedelta(hours=2)).isoformat(timespec="seconds"),
                "finalized_at": (day + timedelta(hours=2)).isoformat(timespec="seconds")
                if wants_final else None,
                "language": language,
            }
            if simulated_here:
                clock = format_clock(int((day + timedelta(hours=2)).timestamp() * 1000), 0)
                simulated.append(replica.make_revision(
                    service.SUBMISSION, submission_id, [], device_id, clock, payload))
            else:
                replica.commit(db, profile.device_id, service.SUBMISSION, submission_id, payload)
            created += 1
            finalized += 1 if wants_final else 0
            changes = changes | Changes(frozenset({"response", "revision"}),
                                        frozenset({submission_id}))
    if simulated:
        replica.add_revisions(db, simulated, provenance="demo")
    framework = False
    if secretariat or profile.role == "taskforce":
        framework_changes = _framework_draft(db, profile)
        if framework_changes is not None:
            framework = True
            changes = changes | framework_changes
    devices = len({r.device_id for r in simulated})
    return DemoReport(created, skipped, finalized, devices, framework, changes)


def _framework_draft(db: Database, profile: Profile) -> Changes | None:
    """The framework room's demo draft, unless a framework document exists already."""
    from neascn_desktop.framework import demo as framework_demo
    from neascn_desktop.framework import service as framework

    if framework.has_document(db):
        return None
    return framework_demo.load_demo_framework(db, profile, profile.language)


def load_demo(db: Database, profile: Profile, cities: int = 6, seed: int = 1) -> Changes:
    """Fill the profile with demo data for its role; returns what changed (for the GUI)."""
    return load_demo_report(db, profile, cities=cities, seed=seed).changes
