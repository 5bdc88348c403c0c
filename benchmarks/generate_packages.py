"""Generate signed, encrypted response packages from simulated field devices (the sync benchmark).

    python benchmarks/generate_packages.py --secretariat DATA_DIR --out DIR \
        --devices 20 --packages 1000 --seed 1

Creates the secretariat profile in DATA_DIR if absent (with the built-in
survey and a city list grown to ``--cities`` cities, as after its deployment),
writes the simulated devices' key cards to ``DIR/keys/`` and the packages,
encrypted for that secretariat, to ``DIR/packages/``.  Then time the import
with ``benchmarks/import_packages.py``.

The simulation: every device surveys its share of the cities.  Each package
is one export of one device; it carries the revisions made since that
device's previous export (the exporter sends what the secretariat may lack):
``--per-package`` submissions, each a new, fully answered survey (every
input question, attachments included) or a revisit of one of the device's
earlier submissions that changes a few answers (a child revision).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from neascn_desktop import __version__, replica
from neascn_desktop.identity.keys import b64, public_bytes
from neascn_desktop.identity.profile import create_profile, load_profile
from neascn_desktop.identity.trust import KEYCARD_SUFFIX, KeyCard
from neascn_desktop.paths import resource
from neascn_desktop.store import open_database
from neascn_desktop.sync import crypto, keystore
from neascn_desktop.sync import payload as payload_codec
from neascn_desktop.sync.container import AttachmentSource, Sender, write_package

FORM_ID = "neascn_readiness"
COUNTRIES = ("KR", "CN", "JP", "MN", "RU")
LANGS = ("en", "ko", "zh_Hans", "ja", "ru", "mn")
#: The packages' creation times lie within this span after 2026-09-01 (see ``main``).
SPAN = timedelta(days=60)
START = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


@dataclass
class SimDevice:
    index: int
    device_id: str
    name: str
    signing: Ed25519PrivateKey
    encryption: X25519PrivateKey
    cities: list[str]
    submissions: dict[str, replica.Revision] = field(default_factory=dict)  # submission -> head
    surveyed: int = 0
    sent_files: set[str] = field(default_factory=set)
    clock_ms: int = 0
    counter: int = 0

    @property
    def signing_b64(self) -> str:
        return b64(public_bytes(self.signing.public_key()))

    @property
    def encryption_b64(self) -> str:
        return b64(public_bytes(self.encryption.public_key()))

    def tick(self) -> str:
        self.clock_ms += 1000
        return f"{self.clock_ms:013d}-{0:06d}"


def package_time(number: int, packages: int) -> datetime:
    """When package ``number`` of ``packages`` was made: one an hour from ``START``, but never
    beyond ``SPAN`` (the importer refuses packages dated more than a day ahead of its clock, and
    10,000 hours from ``START`` would end in 2027)."""
    return START + min(timedelta(hours=1), SPAN / max(packages, 1)) * number


def _keycard_document(device: SimDevice) -> dict[str, Any]:
    card = KeyCard(device_id=device.device_id, display_name=device.name, organisation="Benchmark",
                   role="field", signing_public_key=device.signing_b64,
                   encryption_public_key=device.encryption_b64,
                   created_at=datetime.now(UTC).isoformat(timespec="seconds"))
    fields = card.signed_fields()
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return dict(fields, signature=b64(device.signing.sign(canonical)))


def _questions(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return [q for s in definition["sections"] for q in s["questions"] if q["type"] not in ("note", "calculate")]


def _answer(rng: random.Random, definition: dict[str, Any], q: dict[str, Any], day: str) -> Any:
    kind = q["type"]
    if kind in ("scale", "select_one", "yes_no"):
        choices = definition["choice_lists"][q["choices"]]
        return rng.choice(choices)["name"]
    if kind == "select_multiple":
        choices = definition["choice_lists"][q["choices"]]
        picked = set(rng.sample(range(len(choices)), k=min(len(choices), rng.randint(1, 3))))
        return [c["name"] for i, c in enumerate(choices) if i in picked]
    if kind == "integer":
        return rng.randint(0, 100)
    if kind == "decimal":
        return round(rng.uniform(0, 100), 1)
    if kind == "date":
        return day
    if kind == "text":
        return rng.choice(["Department of Smart City Policy", "Digital Transformation Office",
                           "See the attached strategy", "Pilot projects in three districts",
                           "Figures from the 2025 municipal yearbook"])
    raise ValueError(kind)


def _evidence(rng: random.Random, folder: Path, city: str, question: str) -> tuple[str, dict[str, Any]]:
    data = (f"%PDF-1.4 evidence for {city} / {question}\n".encode()
            + rng.randbytes(rng.randint(800, 2400)))
    sha = hashlib.sha256(data).hexdigest()
    (folder / sha).write_bytes(data)
    return sha, {"sha256": sha, "filename": f"{question}.pdf", "size": len(data),
                 "media_type": "application/pdf"}


def _new_submission(rng: random.Random, device: SimDevice, definition: dict[str, Any], city: str,
                    when: datetime, evidence: Path) -> replica.Revision:
    answers: dict[str, Any] = {}
    attachments: dict[str, Any] = {}
    day = when.date().isoformat()
    for q in _questions(definition):
        if q["type"] == "attachment":
            sha, meta = _evidence(rng, evidence, city, q["name"])
            answers[q["name"]] = sha
            attachments[q["name"]] = meta
        else:
            answers[q["name"]] = _answer(rng, definition, q, day)
    stamp = when.isoformat(timespec="seconds")
    body = {
        "form_id": FORM_ID, "form_version": definition["version"], "city_id": city,
        "status": "finalized", "answers": answers, "attachments": attachments,
        "enumerator": device.name, "device_id": device.device_id, "started_at": stamp,
        "updated_at": stamp, "finalized_at": stamp, "language": rng.choice(LANGS),
    }
    return replica.make_revision("submission", str(uuid.UUID(int=rng.getrandbits(128), version=4)), [],
                                 device.device_id, device.tick(), body)


def _revisit(rng: random.Random, device: SimDevice, definition: dict[str, Any], head: replica.Revision,
             when: datetime) -> replica.Revision:
    body = json.loads(json.dumps(head.payload))
    questions = [q for q in _questions(definition) if q["type"] != "attachment"]
    for q in rng.sample(questions, k=3):
        body["answers"][q["name"]] = _answer(rng, definition, q, when.date().isoformat())
    body["updated_at"] = when.isoformat(timespec="seconds")
    return replica.make_revision("submission", head.entity_id, [head.id], device.device_id,
                                 device.tick(), body)


def _prepare_secretariat(data_dir: Path, cities: int, rng: random.Random) -> tuple[Any, list[str]]:
    from neascn_desktop.surveys import service

    db = open_database(data_dir)
    profile = load_profile(db)
    if profile is None:
        profile = create_profile(db, name="Benchmark Secretariat", role="secretariat",
                                 organisation="NEASCN Secretariat")
    if profile.role != "secretariat":
        sys.exit(f"{data_dir} holds a {profile.role} profile, not a secretariat")
    service.ensure_builtin(db)
    keystore.ensure_registry(db)
    existing = [c.entity_id for c in replica.list_current(db, "city")]
    missing = cities - len(existing)
    for index in range(max(0, missing)):
        city_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        names = {lang: f"Benchmark City {index + 1}" for lang in LANGS}
        replica.commit(db, profile.device_id, "city", city_id, {
            "name": names, "country": rng.choice(COUNTRIES), "population": rng.randint(50_000, 5_000_000),
            "latitude": None, "longitude": None, "source": "benchmark"})
        existing.append(city_id)
    return (db, profile), sorted(existing)[:cities]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secretariat", type=Path, required=True, help="secretariat data directory")
    parser.add_argument("--out", type=Path, required=True, help="output folder (keys/ and packages/)")
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--packages", type=int, default=1000)
    parser.add_argument("--cities", type=int, default=300)
    parser.add_argument("--per-package", type=int, default=3,
                        help="submissions (new or revisited) per package (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    # A stream of its own: ``neascn demo`` draws its record ids from ``random.Random(seed)``
    # too, so with a plain integer seed the benchmark's first city got the id of a demo
    # submission, and a secretariat holding demo data refused it ("is a submission, not a city").
    rng = random.Random(f"neascn-benchmark/{args.seed}")
    (db, secretariat), cities = _prepare_secretariat(args.secretariat, args.cities, rng)
    definition = json.loads(resource("surveys", f"{FORM_ID}.json").read_text(encoding="utf-8"))
    keys_dir = args.out / "keys"
    packages_dir = args.out / "packages"
    evidence = args.out / "evidence"
    for folder in (keys_dir, packages_dir, evidence):
        folder.mkdir(parents=True, exist_ok=True)

    devices = []
    for index in range(args.devices):
        device = SimDevice(index, str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                           f"Field device {index + 1:02d}", Ed25519PrivateKey.generate(),
                           X25519PrivateKey.generate(), cities[index::args.devices],
                           clock_ms=int(START.timestamp() * 1000) + index)
        devices.append(device)
        (keys_dir / f"device-{index + 1:02d}{KEYCARD_SUFFIX}").write_text(
            json.dumps(_keycard_document(device), indent=2) + "\n", encoding="utf-8")

    recipient_key = secretariat.encryption_public_key
    totals = {"revisions": 0, "answers": 0, "attachments": 0, "bytes": 0}
    for number in range(args.packages):
        device = devices[number % len(devices)]
        when = package_time(number, args.packages)
        revisions: list[replica.Revision] = []
        for _ in range(args.per_package):
            if device.surveyed < len(device.cities):
                city = device.cities[device.surveyed]
                device.surveyed += 1
                revision = _new_submission(rng, device, definition, city, when, evidence)
            else:
                head = device.submissions[rng.choice(sorted(device.submissions))]
                revision = _revisit(rng, device, definition, head, when)
            device.submissions[revision.entity_id] = revision
            revisions.append(revision)
        # As the exporter does: files the secretariat holds already (a revisit keeps the
        # evidence of the first visit) are not sent again.
        hashes = sorted({sha for r in revisions for sha in payload_codec.attachment_refs(r)} - device.sent_files)
        device.sent_files.update(hashes)
        package_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        envelope = crypto.seal_envelope(package_id, device.signing_b64, recipient_key)
        target = packages_dir / f"{number + 1:04d}-device{device.index + 1:02d}.neascn"
        write_package(
            target, package_id=package_id, kind="responses",
            created_at=when.isoformat(timespec="milliseconds"), app_version=__version__,
            sender=Sender(device.device_id, device.name, "Benchmark", "field", device.signing_b64,
                          device.encryption_b64),
            signing_key=device.signing, payload=payload_codec.encode(revisions),
            attachments=[AttachmentSource(sha, evidence / sha) for sha in hashes],
            envelope=envelope,
            recipient={"device_id": secretariat.device_id, "display_name": secretariat.display_name},
            counts={"revisions": len(revisions), "attachments": len(hashes)},
        )
        totals["revisions"] += len(revisions)
        totals["answers"] += sum(len(r.payload["answers"]) for r in revisions)
        totals["attachments"] += len(hashes)
        totals["bytes"] += target.stat().st_size
    db.dispose()
    print(json.dumps({"secretariat": str(args.secretariat), "devices": args.devices,
                      "packages": args.packages, "cities": len(cities), **totals}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
