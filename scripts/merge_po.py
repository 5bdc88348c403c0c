#!/usr/bin/env python3
"""Git merge driver for gettext catalogs: the union of two sides' messages.

Configured with ``git config merge.po.driver "python3 scripts/merge_po.py %O %A %B"`` and
``.gitattributes``.  A message translated on one side only keeps that translation; a translation
changed on one side only (against the common ancestor) takes that change; a message translated
differently on both sides keeps ours (the side being merged into).  The result is
written sorted, as ``scripts/update_catalogs.sh`` writes it; run that script afterwards to drop
messages no longer in the code.
"""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def _read(path: str):
    with open(path, "rb") as handle:
        return read_po(handle, abort_invalid=False)


def main(base_path: str, ours_path: str, theirs_path: str) -> int:
    base, ours, theirs = _read(base_path), _read(ours_path), _read(theirs_path)
    for message in theirs:
        if not message.id:
            continue
        mine = ours.get(message.id, message.context)
        if mine is None:
            ours.add(message.id, message.string, flags=message.flags, auto_comments=message.auto_comments,
                     user_comments=message.user_comments, context=message.context)
        elif not _translated(mine) and _translated(message):
            mine.string = message.string
            mine.flags = message.flags
        else:
            old = base.get(message.id, message.context)
            if old is not None and mine.string == old.string and message.string != old.string:
                mine.string = message.string
                mine.flags = message.flags
    with open(ours_path, "wb") as handle:
        write_po(handle, ours, sort_output=True, omit_header=False, ignore_obsolete=True,
                 include_lineno=False, include_previous=False)
    return 0


def _translated(message) -> bool:
    if isinstance(message.string, (tuple, list)):
        return all(message.string)
    return bool(message.string)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
