"""The local profile: who uses this data directory, in which role and language, on which device."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from neascn_desktop.errors import NeascnError
from neascn_desktop.i18n import LANGUAGES, N_, _, normalize_language
from neascn_desktop.identity.keys import generate_device_keys
from neascn_desktop.identity.models import ProfileRow
from neascn_desktop.store.database import Database

#: Roles and their display names (translate with ``_()`` when shown).
ROLES: dict[str, str] = {
    "taskforce": N_("Task-force member"),
    "field": N_("Field staff"),
    "secretariat": N_("Secretariat"),
}


class ProfileError(NeascnError):
    """A profile cannot be created or read; ``str()`` is a user-facing sentence."""


@dataclass(frozen=True)
class Profile:
    display_name: str
    organisation: str
    role: str
    language: str
    device_id: str
    signing_public_key: str
    encryption_public_key: str
    created_at: datetime

    @property
    def role_label(self) -> str:
        return _(ROLES.get(self.role, self.role))


def _to_profile(row: ProfileRow) -> Profile:
    return Profile(
        display_name=row.display_name,
        organisation=row.organisation,
        role=row.role,
        language=row.language,
        device_id=row.device_id,
        signing_public_key=row.signing_public_key,
        encryption_public_key=row.encryption_public_key,
        created_at=row.created_at,
    )


def load_profile(db: Database) -> Profile | None:
    """The profile of this data directory, or ``None`` before the first run."""
    with db.session() as session:
        row = session.get(ProfileRow, 1)
        return _to_profile(row) if row else None


def create_profile(
    db: Database, *, name: str, role: str, organisation: str = "", language: str = "en"
) -> Profile:
    """Create the profile and the device's key pairs; refuses if one exists."""
    name = name.strip()
    if not name:
        raise ProfileError(_("A profile needs a display name."))
    if role not in ROLES:
        raise ProfileError(
            _("Unknown role {role}; choose one of: {choices}.").format(role=role, choices=", ".join(ROLES))
        )
    if language not in LANGUAGES and normalize_language(language) != language:
        raise ProfileError(
            _("Unknown language {code}; choose one of: {choices}.").format(
                code=language, choices=", ".join(LANGUAGES)
            )
        )
    with db.transaction() as session:
        if session.scalar(select(ProfileRow.id).limit(1)) is not None:
            raise ProfileError(_("A profile already exists in {path}.").format(path=db.data_dir))
        keys = generate_device_keys(db.data_dir)
        row = ProfileRow(
            id=1,
            display_name=name,
            organisation=organisation.strip(),
            role=role,
            language=language,
            device_id=str(uuid.uuid4()),
            signing_public_key=keys.signing_public_b64,
            encryption_public_key=keys.encryption_public_b64,
            created_at=datetime.now(UTC),
        )
        session.add(row)
        session.flush()
        return _to_profile(row)


def update_profile_language(db: Database, language: str) -> None:
    with db.transaction() as session:
        row = session.get(ProfileRow, 1)
        if row is not None:
            row.language = normalize_language(language)
