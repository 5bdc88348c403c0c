"""Form media: the files an XLSForm names are found beside it (or in ``<form>-media/``), stored
content-addressed with the survey version, read by ``pulldata()``, and written back on export."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from neascn_desktop.identity.profile import Profile
from neascn_desktop.store import Database
from neascn_desktop.surveys import expressions, form_media, service
from neascn_desktop.surveys.definition import SurveyError, definition_from_dict
from neascn_desktop.surveys.expression_scope import FormScope
from neascn_desktop.surveys.xlsform import XLSFormError, import_xlsform_with_media

PNG = bytes.fromhex(  # a 2x1 red PNG
    "89504e470d0a1a0a0000000d4948445200000002000000010802000000"
    "7b40e8dd0000000f49444154789c63f8cfc0f01f0002fe01ff1a1f5f4b0000000049454e44ae426082")


def fruit_form(folder: Path, *, media: bool = True, in_media_folder: bool = True) -> Path:
    """A form with a list from each kind of file, a pulldata table, a search() appearance and
    a label image, its files beside it and in ``fruit-media/``."""
    folder.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in [
        ["type", "name", "label", "calculation", "media::image", "appearance"],
        ["select_one_from_file fruits.csv", "fruit", "Fruit"],
        ["select_one_from_file places.xml", "place", "Place"],
        ["select_multiple_from_file sites.geojson", "sites", "Sites"],
        ["calculate", "colour", None, "pulldata('colours', 'colour', 'name', ${fruit})"],
        ["note", "shown", "The colour is ${colour}", None, "apple.png"],
        ["select_one pick", "pick", "Pick", None, None, "search('fruits')"],
    ]:
        ws.append(row)
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label", "media::image"])
    choices.append(["pick", "name", "label"])
    choices.append(["yn", "yes", "Yes", "apple.png"])
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["fruit", "1"])
    form = folder / "fruit.xlsx"
    wb.save(form)
    if media:
        target = folder / "fruit-media" if in_media_folder else folder
        target.mkdir(exist_ok=True)
        (target / "fruits.csv").write_text("name,label,colour\napple,Apple,red\nbanana,Banana,yellow\n",
                                           encoding="utf-8")
        (target / "apple.png").write_bytes(PNG)
        (folder / "colours.csv").write_text(
            "name,colour,size\napple,red,3\napple,green,4\nbanana,yellow,\n", encoding="utf-8")
        (folder / "places.xml").write_text(
            "<root><item><name>ub</name><label>Ulaanbaatar</label></item>"
            "<item><name>sel</name><label>Selenge</label></item></root>", encoding="utf-8")
        (folder / "sites.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "id": "s1", "geometry": {"type": "Point", "coordinates": [106.9, 47.9]},
             "properties": {"title": "Site one", "kind": "well"}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]},
             "properties": {"id": "s2", "title": "Site two"}}]}), encoding="utf-8")
    return form


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_files_a_form_names_are_found_and_lists_read_from_each_kind(tmp_path: Path) -> None:
    result = import_xlsform_with_media(fruit_form(tmp_path / "form"))
    definition = result.definition
    assert sorted(definition.media) == ["apple.png", "colours.csv", "fruits.csv", "places.xml",
                                        "sites.geojson"]
    assert definition.media["apple.png"].sha256 == sha(PNG)
    assert definition.media["apple.png"].media_type == "image/png"
    assert definition.media["sites.geojson"].media_type == "application/geo+json"
    assert result.sources["fruits.csv"] == tmp_path / "form" / "fruit-media" / "fruits.csv"
    assert result.warnings == ()
    assert [c.name for c in definition.choice_lists["places.xml"]] == ["ub", "sel"]
    sites = definition.choice_lists["sites.geojson"]
    assert [(c.name, c.label["en"]) for c in sites] == [("s1", "Site one"), ("s2", "Site two")]
    assert sites[0].extra == {"kind": "well", "geometry": "47.9 106.9"}
    assert [c.extra["colour"] for c in definition.choice_lists["fruits.csv"]] == ["red", "yellow"]
    # The document records them by name; a stored definition reads them back.
    document = definition.to_dict()
    assert document["media"]["apple.png"] == {"sha256": sha(PNG), "size": len(PNG),
                                              "media_type": "image/png"}
    assert definition_from_dict(json.loads(json.dumps(document))).media == definition.media


def test_missing_files_are_warnings_naming_the_file_and_what_fails(tmp_path: Path) -> None:
    result = import_xlsform_with_media(fruit_form(tmp_path, media=False))
    assert result.definition.media == {}
    assert result.definition.choice_lists["fruits.csv"] == ()
    text = "\n".join(result.warnings)
    assert "“fruits.csv” that the form names for a choice list" in text
    assert "“colours.csv” that the form reads with pulldata() or search()" in text
    assert "media file “apple.png”" in text and "“fruit-media”" in text


def test_a_list_or_table_odk_could_not_read_is_stored_with_a_warning(tmp_path: Path) -> None:
    form = fruit_form(tmp_path)
    (tmp_path / "colours.csv").write_bytes("name,colour\nkiwi,vert\u00e9\n".encode("latin-1"))
    (tmp_path / "places.xml").write_text("<root><item>", encoding="utf-8")
    result = import_xlsform_with_media(form)
    assert sorted(w.split("”")[0] for w in result.warnings) == [
        "The file “colours.csv", "The file “places.xml"]
    assert all("cannot be read as ODK expects it" in w for w in result.warnings)
    assert "colours.csv" in result.definition.media
    assert result.definition.choice_lists["places.xml"] == ()


def test_a_media_file_over_the_limit_is_refused_in_one_line(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    form = fruit_form(tmp_path)
    monkeypatch.setattr(form_media, "MAX_MEDIA_BYTES", 60)
    with pytest.raises(XLSFormError) as refused:
        import_xlsform_with_media(form)
    assert "larger than the limit" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_import_stores_the_files_content_addressed_and_pulldata_reads_them(
        db: Database, secretariat_profile: Profile, tmp_path: Path) -> None:
    result = service.import_xlsform_checked(db, secretariat_profile, fruit_form(tmp_path / "form"))
    assert "survey" in result.changes.entity_types
    stored = db.attachments_dir() / sha(PNG)
    assert stored.read_bytes() == PNG
    definition = service.get_definition(db, "fruit")
    assert definition.media_path("apple.png") == stored
    assert definition.media_path("jr://images/apple.png") == stored
    assert definition.media_path("other.png") is None

    def pull(*args: Any) -> Any:
        text = "pulldata(" + ", ".join(repr(a) if isinstance(a, str) else str(a) for a in args) + ")"
        return expressions.evaluate(expressions.parse(text), FormScope(definition, {}))

    assert pull("colours", "colour", "name", "apple") == "red"  # the first match, as in ODK
    assert pull("colours", "colour", "name", "banana") == "yellow"
    assert pull("colours", "size", "name", "banana") == ""  # an empty cell
    assert pull("colours", "colour", "name", "kiwi") == ""  # no match
    assert pull("colours", "weight", "name", "apple") == ""  # no such column
    assert pull("colours", "colour", "nom", "apple") == ""  # no such key column
    assert pull("nothere", "colour", "name", "apple") == ""  # no such file
    assert pull("colours.csv", "size", "colour", "green") == "4"  # the file named with .csv
    state = service.evaluate_form(definition, {"fruit": "banana"})
    assert state.values["colour"] == "yellow"
    # Importing the same form again changes nothing.
    again = service.import_xlsform_checked(db, secretariat_profile, fruit_form(tmp_path / "form"))
    assert not again.changes


def test_pulldata_without_the_stored_file_gives_nothing(db: Database, secretariat_profile: Profile,
                                                         tmp_path: Path) -> None:
    service.import_xlsform_checked(db, secretariat_profile, fruit_form(tmp_path / "form"))
    definition = service.get_definition(db, "fruit")
    (db.attachments_dir() / definition.media["colours.csv"].sha256).unlink()
    assert service.evaluate_form(definition, {"fruit": "apple"}).values.get("colour") in (None, "")


def test_export_writes_the_files_into_the_media_folder_and_reimports_equal(
        db: Database, secretariat_profile: Profile, tmp_path: Path) -> None:
    service.import_xlsform_checked(db, secretariat_profile, fruit_form(tmp_path / "form"))
    result = service.export_xlsform_with_media(db, "fruit", tmp_path / "out" / "again.xlsx")
    assert result.media is not None and result.media.missing == ()
    folder = tmp_path / "out" / "again-media"
    assert sorted(p.name for p in folder.iterdir()) == sorted(service.get_definition(db, "fruit").media)
    assert (folder / "apple.png").read_bytes() == PNG
    again = import_xlsform_with_media(result.path)
    assert again.warnings == ()
    assert again.definition.media == service.get_definition(db, "fruit").media
    assert again.definition.choice_lists == service.get_definition(db, "fruit").choice_lists


def test_the_cli_imports_with_media_and_exports_them(cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert cli("--data-dir", data, "init", "--name", "Sec", "--role", "secretariat",
               "--org", "WeGO")[0] == 0
    code, out, err = cli("--data-dir", data, "survey", "import-xlsform", fruit_form(tmp_path / "f"))
    assert code == 0, err
    assert err == ""
    # The same version with other media is another form: refused, the first one kept.
    code, out, err = cli("--data-dir", data, "survey", "import-xlsform",
                         fruit_form(tmp_path / "bare", media=False))
    assert code == 2 and "exists already with other content" in err
    changed = fruit_form(tmp_path / "changed", media=False)
    (changed.parent / "fruits.csv").write_text("name,label\nfig,Fig\n", encoding="utf-8")
    stored = sorted(p.name for p in (data / "attachments").iterdir())
    code, out, err = cli("--data-dir", data, "survey", "import-xlsform", changed)
    assert code == 2 and "exists already with other content" in err
    assert sorted(p.name for p in (data / "attachments").iterdir()) == stored  # nothing copied
    other = tmp_path / "other"
    assert cli("--data-dir", other, "init", "--name", "Sec", "--role", "secretariat",
               "--org", "WeGO")[0] == 0
    code, out, err = cli("--data-dir", other, "survey", "import-xlsform",
                         fruit_form(tmp_path / "bare", media=False))
    assert code == 0
    assert "neascn: warning: The file “fruits.csv” that the form names for a choice list" in err
    assert len(err.splitlines()) == 5  # one line per missing file
    code, out, err = cli("--data-dir", data, "survey", "export-xlsform", "fruit", "-o",
                         tmp_path / "x" / "fruit.xlsx")
    assert code == 0, err
    assert "Wrote 5 media files into" in out
    assert (tmp_path / "x" / "fruit-media" / "colours.csv").is_file()


# --------------------------------------------------------------------------- hostile documents


def _document(media: Any) -> dict[str, Any]:
    return {"form_id": "f", "version": "1", "title": {"en": "F"}, "format": 2,
            "choice_lists": {}, "children": [{"type": "text", "name": "a", "label": {"en": "A"}}],
            "media": media}


GOOD = {"sha256": "a" * 64, "size": 3, "media_type": "text/csv"}


@pytest.mark.parametrize(("media", "reason"), [
    ({"../evil.csv": GOOD}, "is not a plain file name"),
    ({"a/b.csv": GOOD}, "is not a plain file name"),
    ({"C:evil.csv": GOOD}, "is not a plain file name"),
    ({"..": GOOD}, "is not a plain file name"),
    ({".hidden": GOOD}, "is not a plain file name"),
    ({"con.csv": GOOD}, "is not a plain file name"),
    ({"a\u202egpj.exe": GOOD}, "is not a plain file name"),
    ({"a\nb.csv": GOOD}, "is not a plain file name"),
    ({"x" * 201: GOOD}, "1 to 200 characters"),
    ({"a.csv": dict(GOOD, sha256="../../etc/passwd")}, "64 lower-case hexadecimal digits"),
    ({"a.csv": dict(GOOD, sha256="A" * 64)}, "64 lower-case hexadecimal digits"),
    ({"a.csv": dict(GOOD, size=-1)}, "must be a whole number"),
    ({"a.csv": dict(GOOD, size=1.5)}, "must be a whole number"),
    ({"a.csv": dict(GOOD, size=form_media.MAX_MEDIA_BYTES + 1)}, "larger than the limit of 64 MB"),
    ({f"{n}.csv": dict(GOOD, size=form_media.MAX_MEDIA_BYTES) for n in range(5)},
     "larger than the limit of 256 MB together"),
    ({f"{n}.csv": GOOD for n in range(form_media.MAX_MEDIA_FILES + 1)}, "at most 500 media files"),
    ({"a.csv": GOOD, "A.CSV": GOOD}, "is used twice"),
    ({"a.csv": dict(GOOD, media_type=7)}, "“media_type” must be text"),
    ({"a.csv": "a" * 64}, "must be an object"),
    (["a.csv"], "must be an object"),
])
def test_a_hostile_media_entry_is_refused_in_one_sentence(media: Any, reason: str) -> None:
    with pytest.raises(SurveyError) as refused:
        definition_from_dict(_document(media))
    message = str(refused.value)
    assert reason in message
    assert "\n" not in message and "\u202e" not in message
    assert message.startswith("Survey definition, media")
