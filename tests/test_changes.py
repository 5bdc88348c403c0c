"""One vocabulary of change names: whoever writes a record, the views hear the same name."""

from __future__ import annotations

from neascn_desktop import changes
from neascn_desktop.framework.model import COMMENT_TYPE, SECTION_TYPE
from neascn_desktop.surveys.service import CITY, DEFINITION, SUBMISSION


def test_every_replicated_entity_type_has_one_change_name() -> None:
    for entity_type in (SECTION_TYPE, COMMENT_TYPE, DEFINITION, CITY, SUBMISSION):
        assert entity_type in changes.CHANGE_NAMES
    assert changes.change_name("framework_section") == "section"
    assert changes.change_name("something_new") == "something_new"


def test_the_framework_room_and_an_import_name_a_section_alike() -> None:
    from neascn_desktop.framework.service import comment_changes, section_changes

    imported = changes.Changes.of_entities([SECTION_TYPE, COMMENT_TYPE], ["s1", "c1"])
    assert section_changes("s1").entity_types <= imported.entity_types
    assert comment_changes("c1").entity_types <= imported.entity_types


def test_views_listen_for_change_names_only() -> None:
    """The Framework workspace listened to both vocabularies (``section`` and ``framework_section``)."""
    from neascn_desktop.gui.framework.workspace import WATCHED_TYPES

    entity_types_only = set(changes.CHANGE_NAMES) - set(changes.CHANGE_NAMES.values())
    assert entity_types_only and not entity_types_only & set(WATCHED_TYPES)
