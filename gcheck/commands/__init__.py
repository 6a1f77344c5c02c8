"""The subcommands, in the order ``gcheck --help`` lists them."""

from __future__ import annotations

import importlib
from types import ModuleType

_NAMES = ("check", "validate", "show", "hosts", "explain", "demo")


def _load() -> list[ModuleType]:
    modules = []
    for name in _NAMES:
        try:
            modules.append(importlib.import_module(f"gcheck.commands.{name}"))
        except ModuleNotFoundError as error:
            if error.name != f"gcheck.commands.{name}":
                raise
    return modules


COMMANDS = _load()
