"""From a real database (built-in survey, demo responses, framework skeleton) to reports and exports."""

from __future__ import annotations

import csv
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from neascn_desktop.framework import service as framework
from neascn_desktop.identity.profile import Profile
from neascn_desktop.reports import collect, service
from neascn_desktop.reports.data_export import LEADING, TRAILING, export_columns, export_responses
from neascn_desktop.reports.document import ReportError
from neascn_desktop.reports.readiness import notable_answers
from neascn_desktop.store import Database
from neascn_desktop.surveys import demo
from neascn_desktop.surveys.service import get_definition, list_submissions


@pytest.fixture
def network(db: Database, secretariat_profile: Profile) -> Database:
    """Four cities' demo responses from several devices, and a framework draft with a comment."""
    demo.load_demo_report(db, secretariat_profile, cities=4, seed=3)
    if not framework.has_document(db):  # the demo data may bring a draft already
        framework.create_document(db, secretariat_profile, "en")
    first = framework.list_sections(db)[0]
    framework.set_body(db, secretariat_profile, first.id,
                       "Intro with **bold** and a [link](https://we-gov.org/).\n\n- one\n- two")
    framework.add_comment(db, secretariat_profile, first.id, "Cite the 2020 pre-workshop.")
    return db


def test_collect_readiness_matches_the_scoring(network: Database) -> None:
    from neascn_desktop.surveys.scoring import score_submission

    data = collect.collect_readiness(network, "ko")
    definition = get_definition(network)
    assert data.form_version == definition.version and data.language == "ko"
    assert len(data.domains) == len(definition.domains)
    assert data.domains[0].label == definition.domains[0].label_in("ko")
    answered = [c for c in data.cities if c.submission_status is not None]
    assert len(answered) == 4 and data.cities_total == len(data.cities) >= 4
    for city in answered:
        submission = next(s for s in list_submissions(network) if s.city_id == city.city_id)
        expected = score_submission(definition, submission.answers)
        assert city.index == pytest.approx(expected.overall)
        assert city.coverage == pytest.approx(expected.coverage)
        assert city.answers and all(a.question_label and a.kind for a in city.answers)
        # Free text (names, e-mail addresses of respondents) is never quoted in the report.
        assert all(a.kind != "text" for a in notable_answers(city))
    assert data.questionnaire and sum(len(s.questions) for s in data.questionnaire) > 20


def test_city_subset_and_unknown_city(network: Database) -> None:
    some = [s.city_id for s in list_submissions(network)][:2]
    data = collect.collect_readiness(network, "en", city_ids=some)
    assert [c.city_id for c in data.cities] == some
    with pytest.raises(ReportError, match="There is no city atlantis"):
        collect.collect_readiness(network, "en", city_ids=["atlantis"])


def test_collect_framework_and_status(network: Database) -> None:
    data = collect.collect_framework(network, "en")
    assert data.sections[0].body.startswith("Intro with **bold**")
    assert "Cite the 2020 pre-workshop." in [c.text for c in data.comments]
    assert {s.depth for s in data.sections} >= {0, 1}
    status = collect.collect_status(network, "en")
    assert len(status.submissions) == 4
    assert {r.device_id for r in status.submissions} <= {d for d, _n in status.device_names}
    from neascn_desktop import replica

    assert len(status.conflicts) == len(replica.conflicts(network))
    assert all(c.label and c.heads >= 2 for c in status.conflicts)


@pytest.mark.parametrize("kind", ["readiness", "framework", "status"])
def test_build_report_use_case(network: Database, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.docx"
    seen: list[int] = []
    result = service.build_report(network, kind, path, language="mn",
                                  progress=lambda done, total=0, message="": seen.append(done))
    assert result.kind == kind and result.language == "mn" and path.is_file() and seen
    document = docx.Document(str(path))
    assert document.core_properties.language == "mn-MN"


def test_build_report_refuses_bad_input(network: Database, tmp_path: Path, db: Database) -> None:
    with pytest.raises(ReportError, match=".docx"):
        service.build_report(network, "status", tmp_path / "x.txt")
    with pytest.raises(ReportError, match="Unknown report"):
        service.build_report(network, "nonsense", tmp_path / "x.docx")


def test_framework_report_without_document(db: Database, secretariat_profile: Profile,
                                           tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="no framework document"):
        service.build_report(db, "framework", tmp_path / "f.docx")


def test_csv_export_in_odk_kobo_layout(network: Database, tmp_path: Path) -> None:
    definition = get_definition(network)
    path = tmp_path / "responses.csv"
    result = export_responses(network, path, "csv")
    assert result.rows == 4 and result.codebook_path == tmp_path / "responses.codebook.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    assert header[: len(LEADING)] == list(LEADING) and header[-len(TRAILING):] == list(TRAILING)
    # answers inside repeats (2026.2: the project pipeline) are not columns of the main table
    names = [q.name for q in definition.questions if q.type != "note" and q.repeat is None]
    assert [h for h in header if h in names] == names  # form order, XLSForm names
    multi = next(q for q in definition.questions if q.type == "select_multiple")
    options = [c.name for c in definition.choices_for(multi)]
    at = header.index(multi.name)
    assert header[at + 1 : at + 1 + len(options)] == [f"{multi.name}/{o}" for o in options]
    submissions = {s.id: s for s in list_submissions(network)}
    for row in rows[1:]:
        record = dict(zip(header, row, strict=True))
        submission = submissions[record["_id"]]
        assert record["meta/instanceID"] == f"uuid:{submission.id}"
        chosen = submission.answers.get(multi.name)
        if chosen:
            assert record[multi.name] == " ".join(chosen)
            assert [record[f"{multi.name}/{o}"] for o in options] == [
                "1" if o in chosen else "0" for o in options]
        for name, value in submission.answers.items():
            if name in submission.attachments:  # Kobo shows the file's name, not its hash
                assert record[name] == submission.attachments[name]["filename"]
            elif not isinstance(value, list) and name in record:
                assert record[name] == str(value)
    with result.codebook_path.open(encoding="utf-8") as handle:
        codebook = list(csv.reader(handle))
    assert codebook[0] == ["column", "question", "label", "type", "choices", "domain"]
    assert len(codebook) == 1 + len(header)


def test_xlsx_export_with_codebook_and_group_paths(network: Database, tmp_path: Path) -> None:
    definition = get_definition(network)
    path = tmp_path / "responses.xlsx"
    result = export_responses(network, path, "xlsx", group_paths=True)
    workbook = load_workbook(path, read_only=True)
    assert workbook.sheetnames == [definition.form_id, "codebook"]
    data = list(workbook[definition.form_id].iter_rows(values_only=True))
    assert len(data) == 1 + result.rows
    section, question = next(definition.walk())
    assert f"{section.name}/{question.name}" in data[0] or question.type == "note"
    columns = export_columns(definition, group_paths=True)
    legacy = [c.header for c in columns]
    # The repeat's instances come as numbered columns before the trailing metadata.
    assert list(data[0][: len(legacy) - len(TRAILING)]) == legacy[: -len(TRAILING)]
    assert list(data[0][-len(TRAILING):]) == legacy[-len(TRAILING):]
    numbers = [q.name for q in definition.questions if q.type == "integer"]
    index = [c.question for c in columns].index(numbers[0])
    assert any(isinstance(row[index], int) for row in data[1:])  # numbers stay numbers


def test_export_refuses_unknown_format_and_version(network: Database, tmp_path: Path) -> None:
    from neascn_desktop.surveys.definition import SurveyError

    with pytest.raises(ReportError, match="csv or xlsx"):
        export_responses(network, tmp_path / "x.ods", "ods")
    with pytest.raises(SurveyError):
        export_responses(network, tmp_path / "x.csv", "csv", form_version="1999.9")
    assert not list(tmp_path.glob(".export-*"))
