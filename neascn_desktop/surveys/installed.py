"""The survey definitions and the cities of a data directory, the built-in ones installed on first use.

Both are entities in the revision log (``survey_definition``, ``city``).  The
built-in survey and city list are installed with a fixed device id and clock, so
every machine creates the very same revisions and no device ever conflicts with
another over them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from neascn_desktop import replica
from neascn_desktop.changes import Changes
from neascn_desktop.i18n import LANGUAGES, _
from neascn_desktop.identity.profile import Profile
from neascn_desktop.replica.revision import canonical_json
from neascn_desktop.store.database import Database
from neascn_desktop.surveys.definition import (
    BUILTIN_FORM_ID,
    SurveyDefinition,
    SurveyError,
    definition_entity_id,
    definition_from_dict,
    pick_label,
)
from neascn_desktop.surveys.xlsform_media import WrittenMedia

DEFINITION = "survey_definition"
CITY = "city"
BUILTIN_DEVICE_ID = "builtin"
#: 2026-01-01T00:00:00Z: the clock of every built-in revision (same ids on every machine).
BUILTIN_CLOCK = "1767225600000-000000"
COUNTRIES = ("KR", "CN", "JP", "MN", "RU", "KP")


# =========================================================================== built-in data


def builtin_survey_paths() -> list[Path]:
    from neascn_desktop.paths import resource

    folder = resource("surveys")
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def builtin_cities_path() -> Path:
    from neascn_desktop.paths import resource

    return resource("cities.json")


_installed: set[tuple[str, tuple[str, ...], str]] = set()


def builtin_revisions(survey_paths: Sequence[Path] | None = None,
                      cities_path: Path | None = None) -> list[replica.Revision]:
    """The revisions of the built-in survey definitions and cities: no parents, device
    ``builtin`` and a fixed clock, hence the same ids on every machine."""
    surveys = list(survey_paths) if survey_paths is not None else builtin_survey_paths()
    cities_file = cities_path if cities_path is not None else builtin_cities_path()
    revisions: list[replica.Revision] = []
    from neascn_desktop.surveys.definition import load_definition

    for path in surveys:
        definition = load_definition(path)
        revisions.append(replica.make_revision(
            DEFINITION, definition.entity_id, [], BUILTIN_DEVICE_ID, BUILTIN_CLOCK,
            definition.to_dict()))
    if cities_file.is_file():
        try:
            raw = json.loads(cities_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SurveyError(_("Cannot read the city list {path}: {reason}").format(
                path=cities_file, reason=exc)) from exc
        for item in raw:
            city = city_from_payload(item["id"], item)
            revisions.append(replica.make_revision(
                CITY, city.id, [], BUILTIN_DEVICE_ID, BUILTIN_CLOCK, city.to_payload()))
    return revisions


def ensure_builtin(
    db: Database,
    survey_paths: Sequence[Path] | None = None,
    cities_path: Path | None = None,
) -> Changes:
    """Install the built-in survey definitions and cities if they are not there yet (idempotent).

    Only entities that do not exist yet are installed (a city edited here keeps
    its edits); their revisions have no parents, device ``builtin`` and a fixed
    clock, hence the same ids everywhere.
    """
    surveys = list(survey_paths) if survey_paths is not None else builtin_survey_paths()
    cities_file = cities_path if cities_path is not None else builtin_cities_path()
    key = (db.url, tuple(str(p) for p in surveys), str(cities_file))
    if key in _installed:
        return Changes()
    revisions = builtin_revisions(surveys, cities_file)
    with db.transaction() as session:
        missing = [r for r in revisions
                   if replica.current(session, r.entity_type, r.entity_id) is None]
        result = replica.add_revisions(session, missing) if missing else None
    _installed.add(key)
    if result is None or not result.changed:
        return Changes()
    return Changes.of_entities(result.entity_types, result.entity_ids)


# =========================================================================== definitions


@dataclass(frozen=True)
class DefinitionInfo:
    entity_id: str
    form_id: str
    version: str
    title: Mapping[str, str]
    questions: int
    revision_id: str
    builtin: bool

    def title_in(self, language: str) -> str:
        return pick_label(self.title, language) or self.form_id


_definition_cache: dict[str, SurveyDefinition] = {}
_with_media_cache: dict[tuple[str, str], SurveyDefinition] = {}


def _definition_from_state(state: replica.CurrentState, media_folder: Path | None = None
                           ) -> SurveyDefinition:
    cached = _definition_cache.get(state.revision_id)
    if cached is None:
        cached = definition_from_dict(state.payload)
        _definition_cache[state.revision_id] = cached
    if cached.media and media_folder is not None:
        # The same version read from another data directory finds its files there.
        key = (state.revision_id, str(media_folder))
        located = _with_media_cache.get(key)
        if located is None:
            located = _with_media_cache[key] = replace(cached, media_folder=media_folder)
        return located
    return cached


def _version_key(version: str) -> tuple[Any, ...]:
    parts: list[Any] = []
    for piece in version.replace("-", ".").split("."):
        parts.append((0, int(piece), "") if piece.isdigit() else (1, 0, piece))
    return tuple(parts)


def list_definitions(db: Database) -> list[DefinitionInfo]:
    """Every survey definition version stored here, by form id then newest version first."""
    ensure_builtin(db)
    infos = []
    for state in replica.list_current(db, DEFINITION):
        definition = _definition_from_state(state)
        infos.append(DefinitionInfo(
            entity_id=state.entity_id, form_id=definition.form_id, version=definition.version,
            title=dict(definition.title), questions=len(definition.questions),
            revision_id=state.revision_id, builtin=state.device_id == BUILTIN_DEVICE_ID))
    infos.sort(key=lambda i: _version_key(i.version), reverse=True)
    infos.sort(key=lambda i: i.form_id)
    return infos


def get_definition(db: Database, form_id: str = BUILTIN_FORM_ID,
                   version: str | None = None) -> SurveyDefinition:
    """A definition by form id and version (the newest version when ``version`` is None)."""
    ensure_builtin(db)
    if version is not None:
        state = replica.current(db, DEFINITION, definition_entity_id(form_id, version))
        if state is None:
            raise SurveyError(_("There is no survey {form} version {version}.").format(
                form=form_id, version=version))
        return _definition_from_state(state, db.attachments_dir())
    versions = [i for i in list_definitions(db) if i.form_id == form_id]
    if not versions:
        raise SurveyError(_("There is no survey {form}.").format(form=form_id))
    return get_definition(db, form_id, versions[0].version)


def install_definition(db: Database, profile: Profile, definition: SurveyDefinition) -> Changes:
    """Store a definition version (a version, once stored, never changes)."""
    payload = definition.to_dict()
    if _stored_already(db, definition, payload):
        return Changes()
    replica.commit(db, profile.device_id, DEFINITION, definition.entity_id, payload)
    return Changes(frozenset({"survey", "revision"}), frozenset({definition.entity_id}))


def _stored_already(db: Database, definition: SurveyDefinition,
                    payload: Mapping[str, Any] | None = None) -> bool:
    """Whether this very version is stored; raises when the version is stored with other content."""
    existing = replica.current(db, DEFINITION, definition.entity_id)
    if existing is None:
        return False
    if canonical_json(existing.payload) == canonical_json(payload or definition.to_dict()):
        return True
    raise SurveyError(_(
        "The survey {form} version {version} exists already with other content; give the new "
        "form another version number.").format(form=definition.form_id,
                                               version=definition.version))


@dataclass(frozen=True)
class XLSFormImport:
    """An XLSForm installed: the definition, what changed, and ODK's converter's warnings."""

    definition: SurveyDefinition
    changes: Changes
    warnings: tuple[str, ...]


def import_xlsform_checked(db: Database, profile: Profile, path: Path) -> XLSFormImport:
    """Install a survey version from an XLSForm; the media files it names (found beside it or
    in its ``-media`` folder) are stored first, content-addressed, so the definition that
    records them never exists without them."""
    from neascn_desktop.surveys.xlsform import import_xlsform_with_media

    found = import_xlsform_with_media(path)
    _stored_already(db, found.definition)  # refused before any file is copied
    _store_media(db, found.definition, found.sources)
    definition = found.definition
    changes = install_definition(db, profile, definition)
    if definition.media:
        definition = replace(definition, media_folder=db.attachments_dir())
    return XLSFormImport(definition, changes, found.warnings)


def _store_media(db: Database, definition: SurveyDefinition, sources: Mapping[str, Path]) -> None:
    from neascn_desktop.store import attachments

    for name, source in sources.items():
        entry = definition.media[name]
        try:
            with source.open("rb") as handle:
                sha, size = attachments.store_stream(db.attachments_dir(), handle)
        except OSError as exc:
            raise SurveyError(_("Cannot copy {path}: {reason}").format(
                path=source, reason=exc.strerror or exc)) from exc
        if (sha, size) != (entry.sha256, entry.size):
            raise SurveyError(_("The file {path} changed while the form was imported; import it "
                                "again.").format(path=source))


def import_xlsform_file(db: Database, profile: Profile, path: Path) -> tuple[SurveyDefinition, Changes]:
    result = import_xlsform_checked(db, profile, path)
    return result.definition, result.changes


def export_xlsform_file(db: Database, form_id: str, path: Path, version: str | None = None) -> Path:
    return export_xlsform_with_media(db, form_id, path, version).path


@dataclass(frozen=True)
class XLSFormExport:
    """An XLSForm written, with its media files in ``<form>-media/`` beside it."""

    path: Path
    media: WrittenMedia | None


def export_xlsform_with_media(db: Database, form_id: str, path: Path,
                              version: str | None = None) -> XLSFormExport:
    """Write a survey version as an XLSForm and its media files into ``<form>-media/``."""
    from neascn_desktop.surveys.xlsform import export_xlsform
    from neascn_desktop.surveys.xlsform_media import write_media

    definition = get_definition(db, form_id, version)
    written = export_xlsform(definition, path)
    return XLSFormExport(written, write_media(definition, written) if definition.media else None)


# =========================================================================== cities


@dataclass(frozen=True)
class City:
    id: str
    name: Mapping[str, str]
    country: str
    population: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    source: str = ""

    def name_in(self, language: str) -> str:
        return pick_label(self.name, language) or self.id

    def to_payload(self) -> dict[str, Any]:
        return {"name": dict(self.name), "country": self.country, "population": self.population,
                "latitude": self.latitude, "longitude": self.longitude, "source": self.source}


def city_from_payload(city_id: str, payload: Mapping[str, Any]) -> City:
    name = payload.get("name") or {}
    if isinstance(name, str):
        name = {"en": name}
    population = payload.get("population")
    return City(
        id=city_id, name=dict(name), country=str(payload.get("country") or ""),
        population=int(population) if isinstance(population, int | float) else None,
        latitude=_float_or_none(payload.get("latitude")),
        longitude=_float_or_none(payload.get("longitude")),
        source=str(payload.get("source") or ""),
    )


def _float_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def list_cities(db: Database) -> list[City]:
    ensure_builtin(db)
    cities = [city_from_payload(s.entity_id, s.payload) for s in replica.list_current(db, CITY)]
    return sorted(cities, key=lambda c: (c.country, c.name_in("en").casefold()))


def city_names(db: Database, language: str) -> dict[str, str]:
    """City id -> name in ``language``, the built-in cities included, without writing anything
    (a preview of a package must leave the database as it was)."""
    names = {r.entity_id: city_from_payload(r.entity_id, r.payload).name_in(language)
             for r in builtin_revisions() if r.entity_type == CITY}
    names.update({s.entity_id: city_from_payload(s.entity_id, s.payload).name_in(language)
                  for s in replica.list_current(db, CITY)})
    return names


def get_city(db: Database, city_id: str) -> City:
    ensure_builtin(db)
    state = replica.current(db, CITY, city_id)
    if state is None:
        for city in list_cities(db):  # a name typed instead of the id
            if city_id.casefold() in {n.casefold() for n in city.name.values()}:
                return city
        raise SurveyError(_("There is no city {city}.").format(city=city_id))
    return city_from_payload(state.entity_id, state.payload)


def save_city(
    db: Database, profile: Profile, *, city_id: str | None = None,
    name: Mapping[str, str] | None = None, country: str | None = None,
    population: int | None = None, latitude: float | None = None,
    longitude: float | None = None, source: str | None = None,
    clear: Iterable[str] = (),
) -> tuple[City, Changes]:
    """Add a city (``city_id`` None: a new uuid) or edit the given fields of one.

    A field given as ``None`` keeps its value; ``clear`` names the optional fields to empty
    (``population``, ``latitude``, ``longitude``) — an editor whose box was emptied says so.
    """
    clear = tuple(clear)
    unknown = set(clear) - {"population", "latitude", "longitude"}
    if unknown:
        raise ValueError(f"cannot clear {sorted(unknown)}")
    ensure_builtin(db)
    if city_id is not None and replica.current(db, CITY, city_id) is not None:
        city = get_city(db, city_id)
    else:
        if not name or not any(v.strip() for v in name.values()):
            raise SurveyError(_("A new city needs a name."))
        city = City(id=city_id or str(uuid.uuid4()), name={}, country="")
    merged_name = dict(city.name)
    for code, text in (name or {}).items():
        if code not in LANGUAGES:
            raise SurveyError(_("Unknown language {code}; choose one of: {choices}.").format(
                code=code, choices=", ".join(LANGUAGES)))
        if text.strip():
            merged_name[code] = text.strip()
        else:
            merged_name.pop(code, None)
    if country is not None:
        country = country.strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise SurveyError(_("A country is a two-letter code such as KR or MN, not “{value}”.")
                              .format(value=country))
    if population is not None and population < 0:
        raise SurveyError(_("A population cannot be negative."))
    if latitude is not None and not -90 <= latitude <= 90:
        raise SurveyError(_("A latitude lies between -90 and 90."))
    if longitude is not None and not -180 <= longitude <= 180:
        raise SurveyError(_("A longitude lies between -180 and 180."))
    city = replace(
        city, name=merged_name,
        country=country if country is not None else city.country,
        population=population if population is not None else city.population,
        latitude=latitude if latitude is not None else city.latitude,
        longitude=longitude if longitude is not None else city.longitude,
        source=source if source is not None else city.source,
    )
    cleared = set(clear)
    city = replace(
        city,
        population=None if "population" in cleared else city.population,
        latitude=None if "latitude" in cleared else city.latitude,
        longitude=None if "longitude" in cleared else city.longitude,
    )
    if not city.country:
        raise SurveyError(_("A city needs a country code such as KR or MN."))
    replica.commit(db, profile.device_id, CITY, city.id, city.to_payload())
    return city, Changes(frozenset({"city", "revision"}), frozenset({city.id}))
