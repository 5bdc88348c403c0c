"""Text the user hands the CLI (a section file, standard input, a passphrase file), decoded
the same way on every system.

Windows editors and shells produce UTF-8 with a byte-order mark (Notepad), UTF-16
(PowerShell 5's ``>``) or the local code page (cp949 on Korean Windows, cp1251 on
Russian).  Python would read standard input in the code page and keep a BOM as
part of the text.  Here: UTF-8 with or without BOM and UTF-16 with BOM are
accepted, the BOM is dropped, and anything else is refused in one sentence that
says what to do, rather than guessed at (a wrong guess would be saved as the
section's text).
"""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

from neascn_desktop.cli import CliUsageError
from neascn_desktop.i18n import _

#: Byte-order marks and the encodings they announce, longest first (UTF-32's BOM starts
#: with UTF-16's; UTF-32 text files are too rare to accept).
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def split_assignment(item: str) -> tuple[str, str, str]:
    """NAME=VALUE split at the first ``=`` outside ``[…]`` (``projects[@id=…]/name=x``), as
    ``neascn response set`` and ``neascn conflicts resolve --set`` read it."""
    depth = 0
    for index, char in enumerate(item):
        if char == "[":
            depth += 1
        elif char == "]":
            depth = max(0, depth - 1)
        elif char == "=" and depth == 0:
            return item[:index], "=", item[index + 1:]
    return item, "", ""


def decode_text(data: bytes, source: str) -> str:
    """``data`` as text; ``source`` (a path, or "standard input") names it in the error."""
    encoding = "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            data, encoding = data[len(bom):], name
            break
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise CliUsageError(_(
            "{path} is not UTF-8 text (it may be in the system's code page): "
            "save it as UTF-8 and try again."
        ).format(path=source)) from None


def read_text_argument(name: str | Path) -> str:
    """The text of the file ``name``, or of standard input when ``name`` is ``-``."""
    if str(name) == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text-only stream (an embedding application's): already decoded
            return sys.stdin.read() if sys.stdin is not None else ""
        return decode_text(stream.read(), _("standard input"))
    path = Path(name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CliUsageError(_("Cannot read {path}: {reason}").format(
            path=path, reason=exc.strerror or exc)) from exc
    return decode_text(data, str(path))
