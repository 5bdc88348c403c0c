"""The CLI's list of command modules names modules that exist: none is hidden when missing."""

from __future__ import annotations

import importlib


def test_every_listed_command_module_exists_and_registers() -> None:
    from neascn_desktop.cli import COMMAND_HOMES, COMMAND_MODULES

    for name in COMMAND_MODULES:
        module = importlib.import_module(f"neascn_desktop.cli.{name}")
        assert callable(module.register), name
    assert {m for homes in COMMAND_HOMES.values() for m in homes} == set(COMMAND_MODULES)
