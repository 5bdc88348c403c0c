"""The local profile: who uses this data directory, in which role and language, on which device."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update

from neascn_desktop.errors import NeascnError
from neascn_desktop.i18n import LANGUAGES, N_, _, normalize_language
from neascn_desktop.identity.keys import generate_device_keys
from neascn_desktop.identity.tables import profile_table
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


def _to_profile(row: Any) -> Profile:
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
    from neascn_desktop.identity.profile_file import member_language

    with db.connect() as conn:
        row = conn.execute(select(profile_table).where(profile_table.c.id == 1)).first()
    if row is None:
        return None
    profile = _to_profile(row)
    own = member_language(db.data_dir)  # a team member's own language (see profile_file)
    if own is not None and own in LANGUAGES:
        profile = dataclasses.replace(profile, language=own)
    return profile


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
    with db.writing() as conn:
        if conn.scalar(select(profile_table.c.id).limit(1)) is not None:
            raise ProfileError(_("A profile already exists in {path}.").format(path=db.data_dir))
        keys = generate_device_keys(db.data_dir)
        profile = Profile(
            display_name=name,
            organisation=organisation.strip(),
            role=role,
            language=language,
            device_id=str(uuid.uuid4()),
            signing_public_key=keys.signing_public_b64,
            encryption_public_key=keys.encryption_public_b64,
            created_at=datetime.now(UTC),
        )
        conn.execute(insert(profile_table).values(id=1, **dataclasses.asdict(profile)))
        return profile


def update_profile_language(db: Database, language: str) -> None:
    """Remember the language: a team member's own choice stays in their data directory."""
    from neascn_desktop.identity.profile_file import set_member_language

    if set_member_language(db.data_dir, normalize_language(language)):
        return
    with db.writing() as conn:
        conn.execute(update(profile_table).where(profile_table.c.id == 1)
                     .values(language=normalize_language(language)))
