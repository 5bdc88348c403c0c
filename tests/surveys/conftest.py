"""Fixtures of the surveys tests: a small two-language definition and a few cities."""

from __future__ import annotations

from pathlib import Path

import pytest

from neascn_desktop.identity.profile import Profile
from neascn_desktop.store import Database
from neascn_desktop.surveys import service
from neascn_desktop.surveys.definition import SurveyDefinition, load_definition

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini.json"
CITIES = DATA / "cities.json"


@pytest.fixture
def mini() -> SurveyDefinition:
    return load_definition(MINI)


def install_test_data(db: Database) -> None:
    service.ensure_builtin(db, [MINI], CITIES)


@pytest.fixture
def field_db(db: Database, field_profile: Profile) -> Database:
    """A field device's database holding the test survey and cities."""
    install_test_data(db)
    return db
