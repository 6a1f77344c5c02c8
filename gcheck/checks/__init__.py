"""Validation checks, each a small function registered in one place.

A check takes a :class:`Subject` and yields findings.  Adding a check means
one function in a module below, listed in that module's ``CHECKS``.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gcheck.checks.common import Entry
from gcheck.config import Config
from gcheck.findings import Finding
from gcheck.reader import DEFAULT_SECTION
from gcheck.values import Secrets

if TYPE_CHECKING:
    from gcheck.schema import KeySpec, Schema


@dataclass(frozen=True)
class Subject:
    """The input of every check: the merged config and the schema.

    ``hosts`` are the host names that fill ``<host>`` in the schema's
    templates; ``fillers`` maps each placeholder name to its values.
    ``entries`` are the options to check, including the ones recovered from
    indented lines the parser rejects.
    """

    config: Config
    schema: Schema
    hosts: tuple[str, ...]
    entries: tuple[Entry, ...] = ()
    fillers: Mapping[str, Sequence[str]] = field(default_factory=dict)

    @functools.cached_property
    def secrets(self) -> Secrets:
        """The options of ``config`` whose values no message may quote."""
        return Secrets(self.config, self.schema)

    def is_secret(self, section: str, option: str) -> bool:
        """Return whether messages must hide the value of ``option``."""
        return self.secrets.is_secret(section, option)

    def spec(self, entry: Entry) -> KeySpec | None:
        """Return the schema's spec of ``entry``, templates included.

        A ``[DEFAULT]`` option gets the spec of the first schema section
        that has the key, because every section inherits it.
        """
        hosts = self.fillers or self.hosts
        if entry.section != DEFAULT_SECTION:
            return self.schema.key(entry.section, entry.option, hosts)
        for section in self.schema.sections_with(entry.option, hosts):
            return self.schema.key(section, entry.option, hosts)
        return None


Check = Callable[[Subject], Iterable[Finding]]

_MODULES = ("reading", "structure", "value", "interpolation", "hosts", "rules")


def registered() -> list[Check]:
    """Return every registered check, module by module."""
    checks: list[Check] = []
    for name in _MODULES:
        module = importlib.import_module(f"gcheck.checks.{name}")
        checks.extend(module.CHECKS)
    return checks
