"""Compare gcheck's reader with the real Python 2.7 ConfigParser.

:class:`Oracle` keeps one ``python2.7`` process running
``py27_configparser.py`` and sends it whole batches of cases, so a test
pays for one interpreter start, not one per case.  :func:`describe` builds
the same description from gcheck's reader and overlay, so a test compares
the two with one ``==``.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
from pathlib import Path

import pytest

from gcheck import config as gconfig
from gcheck import reader

PYTHON27 = Path("/root/.pyenv/versions/2.7.18/bin/python2.7")
SCRIPT = Path(__file__).resolve().parent / "py27_configparser.py"

Case = tuple[bytes, "bytes | None"]


def _latin(text: str) -> str:
    """Return gcheck text as latin-1 code points of its bytes."""
    return reader.encode(text).decode("latin-1")


class Oracle:
    """One running Python 2.7 that reads batches of INI files."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None

    def run(self, cases: list[Case]) -> list[dict]:
        """Return Python 2.7's description of every ``(global, shadow)`` case."""
        process = self._start()
        request = {
            "cases": [
                {
                    "global": data.decode("latin-1"),
                    "shadow": None if shadow is None else shadow.decode("latin-1"),
                }
                for data, shadow in cases
            ]
        }
        process.stdin.write(json.dumps(request) + "\n")
        process.stdin.flush()
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"{PYTHON27} stopped: {process.stderr.read()}")
        return json.loads(line)["results"]

    def _start(self) -> subprocess.Popen:
        if self._process is None:
            self._process = subprocess.Popen(
                [str(PYTHON27), str(SCRIPT)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
            atexit.register(self.close)
        return self._process

    def close(self) -> None:
        """Stop the interpreter."""
        if self._process is not None:
            self._process.stdin.close()
            self._process.wait(timeout=10)
            self._process = None


_ORACLE = Oracle()


def oracle() -> Oracle:
    """Return the shared oracle, skipping the test when Python 2.7 is absent."""
    if not os.access(PYTHON27, os.X_OK):
        pytest.skip(f"Python 2.7 not found at {PYTHON27}; it is the reference reader")
    return _ORACLE


def describe(data: bytes, shadow: bytes | None = None) -> dict:
    """Return gcheck's description, in the oracle's format, of one case."""
    global_file = reader.parse(data, "global_config.ini")
    result = {"global": _describe_file(global_file), "shadow": None}
    result["merged"] = result["global"]
    if shadow is None:
        return result
    shadow_file = reader.parse(shadow, "shadow_config.ini", role="shadow")
    result["shadow"] = _describe_file(shadow_file)
    result["merged"] = _describe_merge(global_file, shadow_file)
    return result


def _describe_file(ini: reader.IniFile) -> dict:
    if ini.fatal:
        return {"error": _read_error(ini)}
    return _describe_config(gconfig.build(ini))


def _read_error(ini: reader.IniFile) -> list:
    first = ini.problems[0]
    if first.kind in ("missing-header", "bom"):
        return ["MissingSectionHeaderError", [first.line]]
    return ["ParsingError", [problem.line for problem in ini.problems]]


def _describe_merge(global_file: reader.IniFile, shadow_file: reader.IniFile) -> dict:
    if global_file.fatal:
        return {"error": ["global"]}
    if shadow_file.fatal:
        return {"error": ["shadow"]}
    merged = gconfig.build(global_file, shadow_file)
    stop = _first_merge_failure(merged, shadow_file)
    return {"error": stop} if stop else _describe_config(merged)


def _first_merge_failure(merged: gconfig.Config, shadow: reader.IniFile) -> list | None:
    """Return where Autotest's merge stops: the first failure in merge order."""
    rejected = {header.name for header in merged.rejected_sections}
    for section in shadow.section_names():
        if section in rejected:
            return ["section", _latin(section)]
        for failure in merged.merge_failures:
            if failure.section == section:
                option = _latin(failure.assignment.option)
                return ["option", _latin(section), option, failure.lookup.error]
    return None


def _describe_config(config: gconfig.Config) -> dict:
    sections = []
    for section in config.section_names():
        options = []
        for option, setting in config.options(section).items():
            lookup = config.get(section, option)
            value = None if lookup.value is None else _latin(lookup.value)
            options.append([_latin(option), _latin(setting.raw), value, lookup.error])
        sections.append([_latin(section), options])
    defaults = [[_latin(o), _latin(s.raw)] for o, s in config.defaults.items()]
    return {"error": None, "sections": sections, "defaults": defaults}


def summarize(result: dict) -> tuple:
    """Reduce a description to what Autotest ends up with, as nested tuples.

    A configuration that starts gives one tuple per section: the name, then
    ``(option, value)`` pairs in ``options()`` order, where the value is
    what ``get()`` returns or ``!missing``, ``!depth`` or ``!crash``.  One
    that does not start gives ``(error kind, lines)`` for the global file,
    ``("shadow", error kind, lines)`` for the shadow file, or ``("merge",
    section, option, kind)`` (option ``None`` for a rejected section).
    """
    if result["global"]["error"]:
        kind, lines = result["global"]["error"]
        return (kind, tuple(lines))
    if result["shadow"] is not None and result["shadow"]["error"]:
        kind, lines = result["shadow"]["error"]
        return ("shadow", kind, tuple(lines))
    merged = result["merged"]
    if merged["error"]:
        return _merge_error(merged["error"])
    return tuple(
        _summarize_section(name, options) for name, options in merged["sections"]
    )


def _merge_error(stop: list) -> tuple:
    if stop[0] == "section":
        return ("merge", gcheck_text(stop[1]), None, "rejected")
    _, section, option, kind = stop
    return ("merge", gcheck_text(section), gcheck_text(option), kind)


def _summarize_section(name: str, options: list) -> tuple:
    pairs = []
    for option, _raw, value, error in options:
        shown = f"!{error}" if error else gcheck_text(value)
        pairs.append((gcheck_text(option), shown))
    return (gcheck_text(name), *pairs)


def gcheck_text(latin: str) -> str:
    """Return gcheck text for latin-1 code points of bytes."""
    return reader.decode(latin.encode("latin-1"))
