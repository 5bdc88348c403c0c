"""The media files of an XLSForm on the way in and out: found beside the form (or in its
``<form>-media/`` folder) on import, written back into that folder on export.

A file the form names but that is not there is a warning, not a refusal: ODK Central takes
such a form too and lists the file as missing (see ``docs/xlsform.md``).  A file over the
size limits is refused.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from neascn_desktop.i18n import _
from neascn_desktop.surveys import form_media
from neascn_desktop.surveys.definition import SurveyDefinition, SurveyError
from neascn_desktop.surveys.form_media import MediaFile

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class FoundMedia:
    files: dict[str, MediaFile] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def media_folder_of(form: Path) -> Path:
    """``<folder>/<form name>-media``: where ODK Collect keeps a form's media files."""
    return form.parent / f"{form.stem}-media"


def _missing_warning(name: str, use: str, form: Path) -> str:
    folder = media_folder_of(form).name
    if use == form_media.LIST:
        return _("The file “{name}” that the form names for a choice list is neither beside the form "
                 "nor in the folder “{folder}”: its questions have no choices.").format(
                     name=name, folder=folder)
    if use == form_media.DATA:
        return _("The file “{name}” that the form reads with pulldata() or search() is neither beside "
                 "the form nor in the folder “{folder}”: those give nothing.").format(
                     name=name, folder=folder)
    return _("The media file “{name}” that the form names is neither beside the form nor in the "
             "folder “{folder}”: the form shows it without.").format(name=name, folder=folder)


def _hash(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if size > form_media.MAX_MEDIA_BYTES:
                break
    return digest.hexdigest(), size


def collect_media(definition: SurveyDefinition, form: Path) -> FoundMedia:
    """The files ``definition`` names, found beside ``form``; raises :class:`XLSFormError`
    for a file over the limits."""
    from neascn_desktop.surveys.xlsform import XLSFormError

    files: dict[str, MediaFile] = {}
    sources: dict[str, Path] = {}
    warnings: list[str] = []
    wanted = form_media.referenced(definition)
    if len(wanted) > form_media.MAX_MEDIA_FILES:
        raise XLSFormError(None, None, None, _("the form names {count} media files; at most {limit} "
                                               "are allowed").format(count=len(wanted),
                                                                     limit=form_media.MAX_MEDIA_FILES))
    for name, use in wanted.items():
        problem = form_media.name_problem(name)
        if problem is not None:
            warnings.append(_("The form names the media file “{name}”, which is not a plain file "
                              "name; it was not stored.").format(
                                  name="".join(ch if ch.isprintable() else "?" for ch in name)))
            continue
        path = form_media.locate(form, name)
        if path is None:
            warnings.append(_missing_warning(name, use, form))
            continue
        try:
            sha, size = _hash(path)
        except OSError as exc:
            raise XLSFormError(None, None, None, _("cannot read the media file {path}: {reason}").format(
                path=path, reason=exc.strerror or exc)) from None
        if size > form_media.MAX_MEDIA_BYTES:
            raise XLSFormError(None, None, None, _(
                "the media file “{name}” is larger than the limit of {limit} MB").format(
                    name=name, limit=form_media.MAX_MEDIA_BYTES // (1024 * 1024)))
        if use in (form_media.LIST, form_media.DATA) and not form_media.readable(name, path.read_bytes()):
            warnings.append(_("The file “{name}” cannot be read as ODK expects it (UTF-8 text; a CSV "
                              "with a header row): what needs it gives nothing.").format(name=name))
        files[name] = MediaFile(name, sha, size, form_media.media_type_of(name))
        sources[name] = path
    if form_media.total_size(files.values()) > form_media.MAX_MEDIA_TOTAL:
        raise XLSFormError(None, None, None, _(
            "the form's media files are larger than the limit of {limit} MB together").format(
                limit=form_media.MAX_MEDIA_TOTAL // (1024 * 1024)))
    return FoundMedia(files, sources, tuple(warnings))


@dataclass(frozen=True)
class WrittenMedia:
    folder: Path
    written: tuple[Path, ...]
    #: Files the definition names whose content this data directory does not hold.
    missing: tuple[str, ...]


def write_media(definition: SurveyDefinition, form: Path) -> WrittenMedia:
    """Write the definition's media files into ``<form>-media/`` beside an exported form (the
    names were checked when the definition was read: plain file names)."""
    folder = media_folder_of(form)
    written: list[Path] = []
    missing: list[str] = []
    for name in sorted(definition.media):
        source = definition.media_path(name)
        if source is None or form_media.name_problem(name) is not None:
            missing.append(name)
            continue
        target = folder / name
        if target.parent != folder:  # never outside the folder, whatever the name
            missing.append(name)
            continue
        try:
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        except OSError as exc:
            raise SurveyError(_("Cannot write {path}: {reason}").format(
                path=target, reason=exc.strerror or exc)) from exc
        written.append(target)
    return WrittenMedia(folder, tuple(written), tuple(missing))
