"""Key cards are checked strictly before anything is trusted: exact shape, usable keys, printable
bounded strings, a valid self-signature.  Every card here is a real, signed card file, given to
the real ``neascn trust add``; a refused one is one sentence and changes nothing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from neascn_desktop.identity.keys import b64, public_bytes

# Low-order points: every X25519 shared secret with them is zero; an Ed25519 key of small order
# lets one signature verify for several messages.
X25519_LOW_ORDER = bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")
ED25519_SMALL_ORDER = bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")


def card_document(signing: Ed25519PrivateKey | None = None, *, sign: bool = True,
                  extra: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A key card as ``neascn key export`` writes it, with ``fields`` replaced, signed with
    ``signing`` over exactly the fields it holds (so only the rule under test is broken)."""
    signing = signing or Ed25519PrivateKey.generate()
    document: dict[str, Any] = {
        "format": "neascn-keycard", "version": 1, "device_id": str(uuid.uuid4()),
        "display_name": "Nomin Bat", "organisation": "Ulaanbaatar City", "role": "field",
        "signing_public_key": b64(public_bytes(signing.public_key())),
        "encryption_public_key": b64(public_bytes(X25519PrivateKey.generate().public_key())),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    document.update(fields)
    if sign:
        canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        document["signature"] = b64(signing.sign(canonical.encode("utf-8")))
    document.update(extra or {})
    return document


def write_card(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


BAD_CARDS: dict[str, tuple[dict[str, Any], str]] = {
    "5-byte encryption key": ({"encryption_public_key": b64(b"12345")}, "unusable encryption key"),
    "empty encryption key": ({"encryption_public_key": ""}, "unusable encryption key"),
    "all-zero encryption key": ({"encryption_public_key": b64(bytes(32))}, "unusable encryption key"),
    "low-order encryption key": ({"encryption_public_key": b64(X25519_LOW_ORDER)}, "unusable encryption key"),
    "33-byte encryption key": ({"encryption_public_key": b64(bytes(range(1, 34)))}, "unusable encryption key"),
    "encryption key not base64": ({"encryption_public_key": "not base64!"}, "unusable encryption key"),
    "small-order signing key": ({"signing_public_key": b64(ED25519_SMALL_ORDER)}, "unusable signing key"),
    "all-zero signing key": ({"signing_public_key": b64(bytes(32))}, "unusable signing key"),
    "device id not a UUID": ({"device_id": "device-1"}, "field device_id"),
    "device id in capitals": ({"device_id": str(uuid.uuid4()).upper()}, "field device_id"),
    "unknown role": ({"role": "mayor"}, "unknown role"),
    "name with a terminal escape": ({"display_name": "Kim\x1b[2J\x1b[HApplied"}, "field display_name"),
    "name with a line break": ({"display_name": "Kim\n1 package applied"}, "field display_name"),
    "organisation with a right-to-left override": ({"organisation": "City\u202eyek.exe"}, "field organisation"),
    "empty name": ({"display_name": "   "}, "field display_name"),
    "name of 201 characters": ({"display_name": "K" * 201}, "field display_name"),
    "creation time that is no time": ({"created_at": "yesterday"}, "field created_at"),
    "version true": ({"version": True}, "version"),
    "version 1.0": ({"version": 1.0}, "version"),
    "version as text": ({"version": "1"}, "version"),
}


@pytest.mark.parametrize("case", sorted(BAD_CARDS))
def test_a_malformed_card_is_refused_in_one_sentence_and_nothing_is_trusted(case: str, cli, tmp_path: Path) -> None:
    fields, words = BAD_CARDS[case]
    data = tmp_path / "data"
    assert cli("--data-dir", data, "init", "--name", "HQ", "--role", "secretariat")[0] == 0
    card = write_card(tmp_path / "bad.key", card_document(**fields))
    code, out, err = cli("--data-dir", data, "trust", "add", card)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and words in err and "internal error" not in err, err
    assert str(card) in err
    assert "\x1b" not in err and "\u202e" not in err
    assert json.loads(cli("--data-dir", data, "--json", "trust", "list")[1]) == []


@pytest.mark.parametrize("case", ["unsigned extra field", "duplicate field", "signature of 63 bytes",
                                  "signed by another key"])
def test_unsigned_or_ambiguous_content_is_refused(case: str, cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert cli("--data-dir", data, "init", "--name", "HQ", "--role", "secretariat")[0] == 0
    card = tmp_path / "bad.key"
    if case == "unsigned extra field":
        write_card(card, card_document(extra={"note": "trusted by the secretariat"}))
    elif case == "duplicate field":
        text = json.dumps(card_document())
        card.write_text(text[:-1] + ', "display_name": "Someone Else"}', encoding="utf-8")
    elif case == "signature of 63 bytes":
        document = card_document()
        write_card(card, dict(document, signature=b64(bytes(63))))
    else:
        document = card_document(sign=False)
        canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        write_card(card, dict(document, signature=b64(Ed25519PrivateKey.generate().sign(canonical.encode()))))
    code, _out, err = cli("--data-dir", data, "trust", "add", card)
    assert code == 2 and err.count("\n") == 1 and "internal error" not in err, err
    assert json.loads(cli("--data-dir", data, "--json", "trust", "list")[1]) == []


def test_a_well_formed_card_is_trusted_and_a_package_can_be_encrypted_for_it(cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert cli("--data-dir", data, "init", "--name", "Field", "--role", "field")[0] == 0
    signing = Ed25519PrivateKey.generate()
    document = card_document(signing, role="secretariat", display_name="Сүхбаатар — 秘书处",
                             organisation="")
    card = write_card(tmp_path / "sec.key", document)
    code, out, err = cli("--data-dir", data, "trust", "add", card)
    assert code == 0, err
    code, out, err = cli("--data-dir", data, "--json", "package", "export", "--kind", "responses",
                         "-o", tmp_path / "r.neascn")
    assert code == 0, err
    assert json.loads(out)["encrypted_for"]["device_id"] == document["device_id"]


def test_key_checks_refuse_every_small_order_point_and_accept_real_keys() -> None:
    from neascn_desktop.identity.checks import usable_encryption_key, usable_signing_key

    p_minus_1, p, p_plus_1 = (bytes([low]) + b"\xff" * 30 + b"\x7f" for low in (0xEC, 0xED, 0xEE))
    ed_small = [bytes(32), bytes([1]) + bytes(31), ED25519_SMALL_ORDER,
                bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
                p_minus_1, p, p_plus_1]
    for raw in ed_small:  # each with either sign of x
        assert not usable_signing_key(raw) and not usable_signing_key(raw[:31] + bytes([raw[31] | 0x80]))
    x_low = [bytes(32), bytes([1]) + bytes(31), X25519_LOW_ORDER,
             bytes.fromhex("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
             p_minus_1, p, p_plus_1]
    assert not any(usable_encryption_key(raw) for raw in x_low)
    for _ in range(50):
        assert usable_signing_key(public_bytes(Ed25519PrivateKey.generate().public_key()))
        assert usable_encryption_key(public_bytes(X25519PrivateKey.generate().public_key()))
