"""The Framework workspace's tests use the framework room's drafters (two data directories)."""

from tests.framework.conftest import drafters  # noqa: F401 - the fixture, shared
