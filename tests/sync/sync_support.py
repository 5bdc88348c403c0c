"""Helpers of the sync tests (imported as ``sync_support``): devices (data directories with profiles) driven through the real CLI,
and packages built directly through the use cases."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neascn_desktop import replica
from neascn_desktop.identity.profile import Profile, create_profile, load_profile
from neascn_desktop.identity.trust import export_keycard
from neascn_desktop.store import Database, open_database


@dataclass
class Device:
    """One data directory with a profile, used through the CLI (``run``) or directly (``open``)."""

    name: str
    data_dir: Path
    cli: Callable[..., tuple[int, str, str]]

    def run(self, *args: Any, expect: int | None = 0) -> str:
        code, out, err = self.cli("--data-dir", self.data_dir, *args)
        if expect is not None:
            assert code == expect, f"{args}: exit {code}\nstdout: {out}\nstderr: {err}"
        return out

    def json(self, *args: Any, expect: int | None = 0) -> Any:
        return json.loads(self.run("--json", *args, expect=expect))

    def stats(self) -> dict[str, Any]:
        return self.json("stats")

    @property
    def digest(self) -> str:
        return self.stats()["digest"]

    @property
    def keyfile(self) -> Path:
        path = self.data_dir.parent / f"{self.name}.key"
        if not path.exists():
            self.run("key", "export", "-o", path)
        return path

    def open(self) -> Database:
        return open_database(self.data_dir)

    def profile(self) -> Profile:
        db = self.open()
        try:
            profile = load_profile(db)
            assert profile is not None
            return profile
        finally:
            db.dispose()


def new_profile(folder: Path, role: str, name: str) -> tuple[Database, Profile]:
    db = open_database(folder)
    return db, create_profile(db, name=name, role=role, organisation="Test Org")


def commit_submission(db: Database, profile: Profile, answers: dict[str, Any],
                      attachments: dict[str, Any] | None = None, entity_id: str | None = None,
                      city_id: str = "seoul") -> replica.Revision:
    payload = {
        "form_id": "neascn_readiness", "form_version": "2026.1", "city_id": city_id,
        "status": "in_progress", "answers": answers, "attachments": attachments or {},
        "enumerator": profile.display_name, "device_id": profile.device_id,
        "started_at": "2026-11-25T10:00:00+00:00", "updated_at": "2026-11-25T10:00:00+00:00",
        "finalized_at": None, "language": "en",
    }
    return replica.commit(db, profile.device_id, "submission", entity_id or str(uuid.uuid4()), payload)


def keycard(db: Database, profile: Profile, folder: Path) -> Path:
    path = folder / f"{profile.device_id}.key"
    export_keycard(db, profile, path)
    return path


def signed_package(device_dir: Path, revisions: list[replica.Revision], path: Path, *, kind: str = "all",
                   created_at: str | None = None, claimed_role: str | None = None) -> Path:
    """A package signed with a device's real key, carrying exactly ``revisions`` (what a device
    that runs modified software could send: the exporter would not write it)."""
    from datetime import UTC, datetime

    from neascn_desktop import __version__
    from neascn_desktop.identity.keys import load_device_keys
    from neascn_desktop.sync import payload
    from neascn_desktop.sync.container import Sender, write_package

    db = open_database(device_dir)
    try:
        profile = load_profile(db)
        assert profile is not None
    finally:
        db.dispose()
    keys = load_device_keys(device_dir)
    sender = Sender(profile.device_id, profile.display_name, profile.organisation, claimed_role or profile.role,
                    profile.signing_public_key, keys.encryption_public_b64)
    write_package(path, package_id=str(uuid.uuid4()), kind=kind,
                  created_at=created_at or datetime.now(UTC).isoformat(timespec="milliseconds"),
                  app_version=__version__, sender=sender, signing_key=keys.signing,
                  payload=payload.encode(revisions),
                  counts={"revisions": len(revisions), "attachments": 0})
    return path


def conflicting_response(make_device: Callable[[str, str], Device], tmp_path: Path, first: list[str],
                         ours: list[str], theirs: list[str], *,
                         encrypt: bool = False) -> tuple[Device, Device, str, Path]:
    """A secretariat and a field device over one Seoul response: the field's ``first`` answers
    reach the secretariat, then each side sets ``ours`` (secretariat) and ``theirs`` (field) and
    the field's second package makes the conflict.  Returns (sec, field, response id, the first
    package)."""
    sec = make_device("sec", "secretariat")
    field = make_device("field", "field")
    deployment = tmp_path / "deployment.neascn"
    sec.run("package", "export", "--kind", "deployment", "-o", deployment)
    field.run("package", "import", deployment)
    sec.run("trust", "add", field.keyfile)
    response = field.json("response", "new", "--city", "seoul")["id"]
    field.run("response", "set", response, *first)
    first_package = tmp_path / "r1.neascn"
    field.run("package", "export", "--kind", "responses", "-o", first_package)
    sec.run("package", "import", first_package)
    sec.run("response", "set", response, *ours)
    field.run("response", "set", response, *theirs)
    second = tmp_path / "r2.neascn"
    field.run("package", "export", "--kind", "responses", "-o", second,
              *(("--encrypt-for", sec.keyfile) if encrypt else ()))
    sec.run("package", "import", second)
    return sec, field, response, first_package
