from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from neascn_desktop.identity.keys import ENCRYPTION_KEY_FILE, SIGNING_KEY_FILE, keys_dir
from neascn_desktop.identity.profile import ProfileError, create_profile, load_profile
from neascn_desktop.identity.trust import (
    TrustError,
    export_keycard,
    list_trusted,
    parse_keycard,
    read_keycard,
    revoke,
    trust_keycard,
)
from neascn_desktop.store import open_database


def test_first_profile_creates_device_identity_and_private_keys_for_owner_only(db, data_dir) -> None:
    assert load_profile(db) is None
    profile = create_profile(db, name="  Bat-Erdene ", role="field", organisation="UB City", language="mn")
    assert profile.display_name == "Bat-Erdene"
    assert len(profile.device_id) == 36
    assert load_profile(db) == profile
    for name in (SIGNING_KEY_FILE, ENCRYPTION_KEY_FILE):
        mode = stat.S_IMODE(os.stat(keys_dir(data_dir) / name).st_mode)
        assert mode == 0o600


def test_a_second_profile_is_refused(db) -> None:
    create_profile(db, name="A", role="field")
    with pytest.raises(ProfileError, match="already exists"):
        create_profile(db, name="B", role="secretariat")


@pytest.mark.parametrize("kwargs", [{"name": "", "role": "field"}, {"name": "X", "role": "mayor"},
                                    {"name": "X", "role": "field", "language": "xx"}])
def test_bad_profile_input_is_refused(db, kwargs) -> None:
    with pytest.raises(ProfileError):
        create_profile(db, **kwargs)
    assert load_profile(db) is None


def test_keycard_round_trip_trust_and_revoke(tmp_path: Path) -> None:
    field = open_database(tmp_path / "field")
    hq = open_database(tmp_path / "hq")
    try:
        field_profile = create_profile(field, name="Field One", role="field", organisation="Busan")
        create_profile(hq, name="HQ", role="secretariat")
        card_file = tmp_path / "field.key"
        card = export_keycard(field, field_profile, card_file)
        assert read_keycard(card_file) == card

        trusted = trust_keycard(hq, read_keycard(card_file))
        assert trusted.fingerprint == card.fingerprint
        assert [d.device_id for d in list_trusted(hq)] == [field_profile.device_id]

        revoked = revoke(hq, field_profile.device_id[:8])
        assert revoked.revoked
        assert list_trusted(hq, include_revoked=False) == []
        # trusting the card again lifts the revocation
        assert not trust_keycard(hq, read_keycard(card_file)).revoked
    finally:
        field.dispose()
        hq.dispose()


def test_tampered_keycards_are_refused(db, tmp_path: Path) -> None:
    profile = create_profile(db, name="Field", role="field")
    card_file = tmp_path / "c.key"
    export_keycard(db, profile, card_file)
    document = json.loads(card_file.read_text())

    tampered = dict(document, display_name="Mallory")
    with pytest.raises(TrustError, match="signature"):
        parse_keycard(json.dumps(tampered).encode())
    with pytest.raises(TrustError, match="version"):
        parse_keycard(json.dumps(dict(document, version=99)).encode())
    for junk in (b"", b"\xff\xfe", b"[]", b'{"format": "other"}', b"x" * 100_000):
        with pytest.raises(TrustError):
            parse_keycard(junk)


def test_revoking_an_unknown_device_is_an_error(db) -> None:
    with pytest.raises(TrustError, match="No trusted device"):
        revoke(db, "nope")
