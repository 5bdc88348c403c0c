"""argparse's own messages ("usage:", "options", "invalid choice" ...) through our catalogs.

argparse looks its messages up with ``gettext`` in its own domain, which no one ships for
Korean or Mongolian; pointing its lookup at our catalogs makes ``neascn --help`` and its usage
errors speak the user's language too.  The messages are listed here so that extraction puts
them in the catalogs.
"""

from __future__ import annotations

import argparse

from neascn_desktop.i18n import N_, _, ngettext

MESSAGES = (
    N_("usage: "),
    N_("options"),
    N_("positional arguments"),
    N_("show this help message and exit"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("expected one argument"),
    N_("expected at least one argument"),
    N_("expected at most one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("ignored explicit argument %r"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
)
# ngettext("expected %s argument", "expected %s arguments", n) is used by argparse as well.
_PLURALS = (lambda n: ngettext("expected %s argument", "expected %s arguments", n),)


def install() -> None:
    """Make argparse translate through ``neascn_desktop.i18n`` (the active language at call time)."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
