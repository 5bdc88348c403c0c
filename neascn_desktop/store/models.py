"""Imports every room's tables so that ``metadata`` knows the whole schema."""

from neascn_desktop.framework import tables as _framework  # noqa: F401
from neascn_desktop.identity import models as _identity  # noqa: F401
from neascn_desktop.replica import tables as _replica  # noqa: F401
from neascn_desktop.store.base import Base
from neascn_desktop.surveys import tables as _surveys  # noqa: F401
from neascn_desktop.sync import tables as _sync  # noqa: F401

metadata = Base.metadata
