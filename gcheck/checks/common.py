"""Entries to check and message helpers, shared by the check modules."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gcheck.config import Config
from gcheck.reader import DEFAULT_SECTION, Assignment, IniFile, printable, quoted

if TYPE_CHECKING:
    from gcheck.checks import Subject

# Text standing in for a secret value in every message.
HIDDEN = "(secret value not shown)"


@dataclass(frozen=True)
class Entry:
    """One option as the checks see it.

    ``text`` is what ConfigParser's ``get()`` returns, ``None`` when
    interpolation fails (``error`` and ``detail`` give the cause).  A
    ``recovered`` entry comes from an indented line the parser rejects:
    its ``text`` is the raw value, which Autotest does not read yet.
    """

    section: str
    option: str
    assignment: Assignment
    text: str | None
    error: str | None = None
    detail: str = ""
    recovered: bool = False

    def where(self, at_value: bool = True) -> dict:
        """Return the location keywords of :func:`gcheck.findings.make`.

        ``at_value`` points the column at the value, otherwise at the key.
        """
        if at_value:
            col = self.assignment.col
        else:
            col = None if self.recovered else 1
        return {
            "path": self.assignment.path,
            "line": self.assignment.line,
            "col": col,
            "section": self.section,
            "option": self.option,
        }

    def note(self) -> str:
        """Return the sentence that marks a value from a rejected line."""
        if not self.recovered:
            return ""
        return (
            " (the parser currently rejects this indented line; the problem "
            "remains once the indentation is removed)"
        )


def collect_entries(config: Config) -> tuple[Entry, ...]:
    """Return every option of ``config`` plus those of rejected lines.

    Options are listed per section as set there (``[DEFAULT]`` options once,
    under ``DEFAULT``), so that each finding appears once, at its line.
    """
    entries: list[Entry] = []
    for option, setting in config.defaults.items():
        entries.append(Entry(DEFAULT_SECTION, option, setting.origin, setting.raw))
    for section, settings in config.sections.items():
        for option, setting in settings.items():
            lookup = config.get(section, option)
            entries.append(
                Entry(
                    section,
                    option,
                    setting.origin,
                    lookup.value,
                    lookup.error,
                    lookup.detail,
                )
            )
    for file in files(config):
        for assignment in file.recovered:
            entries.append(
                Entry(
                    assignment.section,
                    assignment.option,
                    assignment,
                    assignment.value,
                    recovered=True,
                )
            )
    return tuple(entries)


def files(config: Config) -> list[IniFile]:
    """Return the files behind ``config``: the global file, then the shadow."""
    found = [config.global_file]
    if config.shadow_file is not None:
        found.append(config.shadow_file)
    return found


def shown(text: str) -> str:
    """Return ``text`` quoted for a message, escaped as :func:`printable` does."""
    return quoted(text)


def shown_value(subject: Subject, entry: Entry, text: str) -> str:
    """Return ``text`` quoted for a message, or :data:`HIDDEN` for a secret value."""
    if subject.is_secret(entry.section, entry.option):
        return HIDDEN
    return shown(text)


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate closest to ``word``, or ``None``.

    A candidate equal to ``word`` but for case or surrounding spaces wins
    over difflib's closest match.
    """
    pool = list(dict.fromkeys(candidates))
    folded = word.strip().lower()
    for candidate in pool:
        if candidate.strip().lower() == folded:
            return candidate
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.7)
    return close[0] if close else None


def suggest(word: str, candidates: Iterable[str]) -> str:
    """Return ``; did you mean X?`` for the closest candidate, or ``""``."""
    candidate = closest(word, candidates)
    return "" if candidate is None else f"; did you mean {printable(candidate)}?"
