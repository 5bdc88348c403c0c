"""Translated names of the report's fixed vocabulary (bands, statuses, question types).

Marked with ``N_`` so they land in the catalogs; translated per report with
``translate_in`` (the report language need not be the UI language).
"""

from __future__ import annotations

from neascn_desktop.i18n import N_, translate_in

BAND_NAMES = {
    "nascent": N_("Nascent"),
    "emerging": N_("Emerging"),
    "developing": N_("Developing"),
    "advanced": N_("Advanced"),
    "leading": N_("Leading"),
}
BAND_RANGES = {
    "nascent": (0, 20),
    "emerging": (21, 40),
    "developing": (41, 60),
    "advanced": (61, 80),
    "leading": (81, 100),
}
SECTION_STATUS = {
    "draft": N_("Draft"),
    "in_review": N_("In review"),
    "agreed": N_("Agreed"),
}
SUBMISSION_STATUS = {
    "finalized": N_("Finalized"),
    "in_progress": N_("In progress"),
    None: N_("No submission"),
}
QUESTION_TYPES = {
    "text": N_("Text"),
    "integer": N_("Whole number"),
    "decimal": N_("Decimal number"),
    "date": N_("Date"),
    "select_one": N_("Single choice"),
    "select_multiple": N_("Multiple choice"),
    "yes_no": N_("Yes / no"),
    "scale": N_("Maturity scale"),
    "note": N_("Note"),
    "attachment": N_("Attachment"),
    "calculate": N_("Calculation"),
}

#: What a conflict is about (the replica's entity types, never printed as ids).
ENTITY_TYPES = {
    "submission": N_("Survey response"),
    "framework_section": N_("Framework section"),
    "framework_comment": N_("Comment"),
    "city": N_("City"),
    "survey_definition": N_("Survey definition"),
}


def band_label(language: str, band: str | None) -> str:
    if band is None:
        return "–"
    return translate_in(language, BAND_NAMES.get(band, band))


def section_status_label(language: str, status: str) -> str:
    return translate_in(language, SECTION_STATUS.get(status, status))


def submission_status_label(language: str, status: str | None) -> str:
    return translate_in(language, SUBMISSION_STATUS.get(status, str(status)))


def question_type_label(language: str, kind: str) -> str:
    return translate_in(language, QUESTION_TYPES.get(kind, kind))


def entity_type_label(language: str, entity_type: str) -> str:
    return translate_in(language, ENTITY_TYPES.get(entity_type, entity_type))


def country_name(language: str, code: str) -> str:
    """A country's name in the report language (ISO codes are for machines, not readers)."""
    from neascn_desktop.i18n.formatting import babel_locale

    if not code:
        return "–"
    return babel_locale(language).territories.get(code.upper(), code)


def language_name(language: str, code: str) -> str:
    """The name of the language ``code`` (``zh_Hans``, ``mn`` …) in the report language."""
    from babel import Locale, UnknownLocaleError

    from neascn_desktop.i18n.formatting import babel_locale

    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(babel_locale(language)) or code
    except (ValueError, UnknownLocaleError):
        return code
    if language in ("zh_Hans", "ja"):  # CLDR's "中文 (简体)": full-width brackets in CJK text
        name = name.replace(" (", "（").replace("(", "（").replace(")", "）")
    return name
