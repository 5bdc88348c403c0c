"""The whole schema: imports every room's ``tables`` so that ``metadata`` knows every table."""

from neascn_desktop.framework import tables as _framework  # noqa: F401
from neascn_desktop.identity import tables as _identity  # noqa: F401
from neascn_desktop.replica import tables as _replica  # noqa: F401
from neascn_desktop.store.metadata import metadata
from neascn_desktop.surveys import tables as _surveys  # noqa: F401
from neascn_desktop.sync import tables as _sync  # noqa: F401
from neascn_desktop.team import tables as _team  # noqa: F401

__all__ = ["metadata"]
