"""Change since the previous survey round (issue 17): an older form version with answers."""

from __future__ import annotations

import dataclasses
import random
import uuid
from pathlib import Path

import docx

from neascn_desktop import replica
from neascn_desktop.identity.profile import create_profile
from neascn_desktop.reports import collect, service
from neascn_desktop.reports.round_change import signed
from neascn_desktop.store import open_database
from neascn_desktop.surveys import service as surveys
from neascn_desktop.surveys.installed import install_definition

CITIES = 4


def _submit(db, profile, definition, city_id: str, level: int, rng: random.Random) -> None:
    """A finalized submission answering every scale at ``level`` and yes/no with yes."""
    answers = {}
    for _section, q in definition.walk():
        if q.type == "scale":
            answers[q.name] = str(level)
        elif q.type == "yes_no":
            answers[q.name] = "yes"
    replica.commit(db, profile.device_id, "submission", str(uuid.UUID(int=rng.getrandbits(128))), {
        "form_id": definition.form_id, "form_version": definition.version, "city_id": city_id,
        "status": "finalized", "answers": answers, "attachments": {}, "enumerator": "T",
        "device_id": profile.device_id, "started_at": "2026-03-01T10:00:00+00:00",
        "updated_at": "2026-03-01T10:00:00+00:00", "finalized_at": "2026-03-01T10:00:00+00:00",
        "language": "en"})


def test_a_previous_round_is_compared_city_by_city(tmp_path: Path) -> None:
    rng = random.Random(3)
    db = open_database(tmp_path / "data")
    try:
        profile = create_profile(db, name="S", role="secretariat")
        current = surveys.get_definition(db)
        older = dataclasses.replace(current, version="2025.1")
        install_definition(db, profile, older)
        cities = [c.id for c in surveys.list_cities(db)][:CITIES]
        for city_id in cities:
            _submit(db, profile, older, city_id, 2, rng)  # 25 points everywhere then
            _submit(db, profile, current, city_id, 4, rng)  # 75 now
        data = collect.collect_readiness(db, "en")
        assert data.previous is not None and data.previous.form_version == "2025.1"
        path = tmp_path / "r.docx"
        service.build_report(db, "readiness", path, language="en")
        ko = tmp_path / "r-ko.docx"
        service.build_report(db, "readiness", ko, language="ko")
    finally:
        db.dispose()
    document = docx.Document(str(path))
    text = [p.text for p in document.paragraphs]
    assert "Change since the previous round" in text
    assert any(t.startswith("Since the previous round (questionnaire version 2025.1)") for t in text)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    averages = next(t for t in tables if t[0] == ["Domain", "Previous round", "This round", "Change"])
    index_row = averages[-1]
    assert index_row[0] == "Readiness index"
    before, now = int(index_row[1]), int(index_row[2])
    assert before < now and index_row[3] == f"+{now - before}"
    per_city = next(t for t in tables if t[0] == ["City", "Previous round", "This round", "Change"])
    assert len(per_city) == 1 + CITIES
    profiles = [t for t in text if t.startswith("Previous round (questionnaire version 2025.1)")]
    assert len(profiles) == CITIES
    assert any(p.text == "이전 회차 대비 변화" for p in docx.Document(str(ko)).paragraphs)


def test_without_an_older_round_nothing_is_said(tmp_path: Path) -> None:
    db = open_database(tmp_path / "data")
    try:
        profile = create_profile(db, name="S", role="secretariat")
        current = surveys.get_definition(db)
        _submit(db, profile, current, surveys.list_cities(db)[0].id, 3, random.Random(1))
        assert collect.collect_readiness(db, "en").previous is None
    finally:
        db.dispose()


def test_signed_changes_follow_the_language() -> None:
    assert signed(4.6, "en") == "+5"
    assert signed(-3.2, "en") == "-3"
    assert signed(0.2, "ru") == "0"
    assert signed(None, "en") == "–"
