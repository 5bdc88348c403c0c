"""Framework use cases on real databases: outline, working copy, comments, history, merging drafts."""

from __future__ import annotations

import pytest

from neascn_desktop import replica
from neascn_desktop.framework import service
from neascn_desktop.framework.conflicts import merge_proposal
from neascn_desktop.framework.model import FrameworkError
from neascn_desktop.framework.skeleton import load_skeleton
from neascn_desktop.framework.textmerge import has_conflict_markers, split_paragraphs
from neascn_desktop.i18n import LANGUAGES
from neascn_desktop.sync import conflicts

from .conftest import Drafter, exchange_package, exchange_revisions


def test_skeleton_has_every_section_in_six_languages() -> None:
    skeleton = load_skeleton()
    ids = [s.id for s in skeleton.sections]
    assert len(ids) == len(set(ids)) >= 13
    for section in skeleton.sections:
        for texts in (section.title, section.guidance):
            assert set(texts) == set(LANGUAGES)
            assert all(texts[lang].strip() for lang in LANGUAGES)
        # Careful translations, not copies of the English text (zh and ja may share kanji).
        for texts in (section.title, section.guidance, section.starter):
            others = [texts.get(lang) for lang in LANGUAGES if lang != "en"]
            assert texts.get("en", "") == "" or texts["en"] not in others
    assert set(skeleton.document_title) == set(LANGUAGES)


def test_create_document_in_japanese(db, taskforce_profile) -> None:
    changes = service.create_document(db, taskforce_profile, "ja")
    assert changes.touches("section")
    sections = service.list_sections(db)
    assert [s.number for s in sections[:3]] == ["1", "2", "3"]
    assert sections[0].title == "背景" and sections[0].language == "ja"
    assert "北東アジア" in sections[0].body
    annexes = [s for s in sections if s.parent_id == "fw-annexes"]
    assert [s.number for s in annexes] == ["13.1", "13.2", "13.3"] and annexes[0].depth == 1
    assert service.document_language(db) == "ja"
    with pytest.raises(FrameworkError):
        service.create_document(db, taskforce_profile, "en")


def test_outline_operations(db, taskforce_profile) -> None:
    p = taskforce_profile
    service.create_document(db, p, "en")
    service.add_section(db, p, "Road to the inaugural meeting", index=2, section_id="s-road")
    assert service.find_section(db, "3").id == "s-road"
    assert service.find_section(db, "road to the INAUGURAL meeting").id == "s-road"
    service.rename_section(db, p, "s-road", "Roadmap")
    service.shift_section(db, p, "s-road", "up")
    assert service.find_section(db, "Roadmap").number == "2"
    service.shift_section(db, p, "s-road", "indent")  # into "Background"
    road = service.get_section(db, "s-road")
    assert road.parent_id == "fw-background" and road.number == "1.1"
    service.shift_section(db, p, "s-road", "outdent")
    assert service.get_section(db, "s-road").number == "2"
    service.shift_section(db, p, "s-road", "down")
    assert service.get_section(db, "s-road").number == "3"
    with pytest.raises(FrameworkError):
        service.move_section(db, p, "fw-annexes", parent_id="fw-annex-survey", index=0)
    service.delete_section(db, p, "fw-annexes")
    ids = [s.id for s in service.list_sections(db)]
    assert "fw-annexes" not in ids and "fw-annex-survey" not in ids
    service.restore_section(db, p, "fw-annexes")
    assert "fw-annex-survey" in [s.id for s in service.list_sections(db)]
    with pytest.raises(FrameworkError):
        service.find_section(db, "no such section")


def test_status_owner_comments(db, taskforce_profile) -> None:
    p = taskforce_profile
    service.create_document(db, p, "en")
    service.set_status(db, p, "fw-vision", "in_review")
    service.set_owner(db, p, "fw-vision", "Alice")
    section = service.get_section(db, "fw-vision")
    assert (section.status, section.owner, section.status_label) == ("in_review", "Alice", "In review")
    with pytest.raises(FrameworkError):
        service.set_status(db, p, "fw-vision", "finished")
    changes = service.add_comment(db, p, "fw-vision", "Shorter, please.")
    (first,) = service.list_comments(db, "fw-vision")
    assert first.id in changes.entity_ids and first.author == "Task Force Tester"
    service.add_comment(db, p, "fw-vision", "Done.", reply_to=first.id)
    service.add_comment(db, p, "fw-vision", "Another thread.")
    thread = service.list_comments(db, "fw-vision")
    assert [c.text for c in thread] == ["Shorter, please.", "Done.", "Another thread."]
    assert thread[1].reply_to == first.id
    service.resolve_comment(db, p, first.id)
    assert service.list_comments(db, "fw-vision")[0].resolved


def test_working_copy_cut_history_and_diff(db, taskforce_profile) -> None:
    p = taskforce_profile
    service.create_document(db, p, "en")
    before = service.get_section(db, "fw-programmes")
    service.save_working_copy(db, "fw-programmes", before.body + "Air quality first.\n\n")
    assert service.get_section(db, "fw-programmes").has_working_copy
    # A status change meanwhile must not turn the drafter's own text into a conflict.
    service.set_status(db, p, "fw-programmes", "in_review")
    service.save_working_copy(db, "fw-programmes", before.body + "Air quality and waste first.\n\n")
    assert service.cut_revision(db, p, "fw-programmes").touches_id("fw-programmes")
    after = service.get_section(db, "fw-programmes")
    assert not after.has_working_copy and not after.in_conflict
    assert after.body.endswith("Air quality and waste first.\n\n") and after.status == "in_review"
    assert not service.cut_revision(db, p, "fw-programmes")  # nothing left to cut
    revisions = service.history(db, "fw-programmes")
    assert len(revisions) == 3
    assert revisions[0].author == "Task Force Tester" and revisions[0].changed == ("body",)
    assert revisions[1].changed == ("status",)
    diff = service.diff_revisions(db, revisions[-1].revision_id, revisions[0].revision_id)
    assert [f.field for f in diff.fields] == ["status"]
    assert "+ Air quality and waste first." in diff.text and diff.body_changed


def _edit(d: Drafter, section_id: str, old: str, new: str) -> None:
    body = service.get_section(d.db, section_id).body
    assert old in body
    service.save_working_copy(d.db, section_id, body.replace(old, new))
    service.cut_revision(d.db, d.profile, section_id)


def test_different_paragraphs_merge_and_both_converge(drafters, tmp_path) -> None:
    alice, bolor = drafters
    service.create_document(alice.db, alice.profile, "en")
    exchange_package(alice, bolor, tmp_path / "packages")
    _edit(alice, "fw-background", "The Northeast Asia", "ALICE: The Northeast Asia")
    _edit(bolor, "fw-background", "The network learns", "BOLOR: The network learns")
    exchange_package(alice, bolor, tmp_path / "packages")
    exchange_package(bolor, alice, tmp_path / "packages")
    for d in (alice, bolor):
        assert [s.id for s in service.sections_in_conflict(d.db)] == ["fw-background"]
        proposal = merge_proposal(d.db, "fw-background")
        assert proposal.clean and len(proposal.heads) == 2
        assert "ALICE:" in proposal.body and "BOLOR:" in proposal.body
        conflicts.resolve_with(d.db, "fw-background", proposal.payload)
    texts = {service.get_section(d.db, "fw-background").body for d in drafters}
    assert len(texts) == 1
    merged = texts.pop()
    # Two identical merges are no conflict after the next exchange either.
    exchange_package(alice, bolor, tmp_path / "packages")
    exchange_package(bolor, alice, tmp_path / "packages")
    for d in drafters:
        section = service.get_section(d.db, "fw-background")
        assert not section.in_conflict and section.body == merged


def test_same_paragraph_conflict_is_settled_by_one_and_converges(drafters, tmp_path) -> None:
    alice, bolor = drafters
    service.create_document(alice.db, alice.profile, "en")
    exchange_package(alice, bolor, tmp_path / "packages")
    _edit(alice, "fw-programmes", "Cities raised", "Alice thinks cities raised")
    _edit(bolor, "fw-programmes", "Cities raised", "Bolor thinks cities raised")
    exchange_package(alice, bolor, tmp_path / "packages")
    exchange_package(bolor, alice, tmp_path / "packages")
    proposal = merge_proposal(alice.db, "fw-programmes")
    assert proposal.conflicts == 1 and not proposal.clean
    assert has_conflict_markers(proposal.body)
    assert "Alice Kim" in proposal.body and "Bolor Bat" in proposal.body  # named from the trusted key card
    # Alice accepts the marked proposal, then settles the text in the editor.
    conflicts.resolve_with(alice.db, "fw-programmes", proposal.payload)
    settled = "Alice and Bolor think cities raised transport, air quality and tourism.\n\n"
    service.save_working_copy(alice.db, "fw-programmes", settled)
    service.cut_revision(alice.db, alice.profile, "fw-programmes")
    exchange_package(alice, bolor, tmp_path / "packages")
    exchange_package(bolor, alice, tmp_path / "packages")
    for d in drafters:
        section = service.get_section(d.db, "fw-programmes")
        assert not section.in_conflict and section.body == settled
    assert replica.digest(alice.db) == replica.digest(bolor.db)


def test_editing_after_an_import_changed_the_section_keeps_both(drafters) -> None:
    alice, bolor = drafters
    service.create_document(alice.db, alice.profile, "en")
    exchange_revisions(alice, bolor)
    body = service.get_section(bolor.db, "fw-programmes").body
    service.save_working_copy(bolor.db, "fw-programmes", body + "Bolor's typing.\n\n")
    service.set_body(alice.db, alice.profile, "fw-programmes", "Alice's intro.\n\n" + body)
    exchange_revisions(alice, bolor)  # arrives while Bolor is typing
    service.cut_revision(bolor.db, bolor.profile, "fw-programmes")
    section = service.get_section(bolor.db, "fw-programmes")
    assert section.in_conflict
    proposal = merge_proposal(bolor.db, "fw-programmes")
    assert proposal.clean
    assert split_paragraphs(proposal.body) == ["Alice's intro.", *split_paragraphs(body), "Bolor's typing."]
    with pytest.raises(FrameworkError):
        service.set_status(bolor.db, bolor.profile, "fw-programmes", "agreed")
    conflicts.resolve_keep(bolor.db, "fw-programmes", proposal.heads[-1].revision_id)
    assert not service.get_section(bolor.db, "fw-programmes").in_conflict


def test_demo_framework_has_a_clean_conflict_and_comments(db, taskforce_profile) -> None:
    from neascn_desktop.framework.demo import load_demo_framework

    changes = load_demo_framework(db, taskforce_profile, "ja")
    assert changes.touches("section") and changes.touches("comment")
    vision = service.get_section(db, "fw-vision")
    assert vision.in_conflict and vision.owner == "Sato Yuki (Yokohama)"
    proposal = merge_proposal(db, "fw-vision")
    assert proposal.clean and "期間" in proposal.body and "都市は人のためにある" in proposal.body
    thread = service.list_comments(db, "fw-key-functions")
    assert len(thread) == 2 and thread[1].reply_to == thread[0].id and "金融機関" in thread[0].text
    assert not load_demo_framework(db, taskforce_profile, "ja")  # only once
