"""Validation checks, each a small function registered in one place.

A check takes a :class:`Subject` and yields findings.  Adding a check means
one function in a module below, listed in that module's ``CHECKS``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gcheck.config import Config
from gcheck.findings import Finding

if TYPE_CHECKING:
    from gcheck.schema import Schema


@dataclass(frozen=True)
class Subject:
    """What every check looks at: the merged config and the schema."""

    config: Config
    schema: Schema
    hosts: tuple[str, ...]


Check = Callable[[Subject], Iterable[Finding]]

_MODULES = ("reading",)


def registered() -> list[Check]:
    """Return every registered check, module by module."""
    checks: list[Check] = []
    for name in _MODULES:
        module = importlib.import_module(f"gcheck.checks.{name}")
        checks.extend(module.CHECKS)
    return checks
