"""The effective configuration: ``global_config.ini`` with the shadow overlay.

Autotest's settings module reads ``global_config.ini`` with ConfigParser,
then, when ``shadow_config.ini`` exists, copies every option the shadow
parser lists for each shadow section (its ``[DEFAULT]`` options included)
over the first file, using the shadow parser's interpolated ``get()``.  An
interpolation failure during that copy stops Autotest at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from gcheck.reader import DEFAULT_SECTION, Assignment, IniFile, decode, encode

MAX_INTERPOLATION_DEPTH = 10
# ConfigParser._KEYCRE: a "%(name)s" reference, or any other character.
_REFERENCE_RE = re.compile(rb"%\(([^)]*)\)s|.", re.DOTALL)


@dataclass(frozen=True)
class Lookup:
    """The outcome of ConfigParser's ``get()`` for one option.

    ``error`` is ``None`` on success; ``missing`` (a reference to an
    undefined name) and ``depth`` (nesting past ten levels) are
    ConfigParser errors; ``crash`` is any other ``%`` formatting error,
    which Autotest does not catch.
    """

    value: str | None
    error: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class Setting:
    """One effective option and the line it came from."""

    section: str
    option: str
    raw: str
    origin: Assignment
    # "global" or "shadow": the file that set the value.
    source: str = "global"
    # True when the value reached this section from a [DEFAULT] section.
    inherited: bool = False


@dataclass
class Config:
    """The merged view Autotest's ``get_value`` reads from."""

    global_file: IniFile
    shadow_file: IniFile | None = None
    sections: dict[str, dict[str, Setting]] = field(default_factory=dict)
    defaults: dict[str, Setting] = field(default_factory=dict)
    # Shadow options whose interpolation failed while merging: each of
    # these stops Autotest at start-up.
    merge_failures: list[tuple[Assignment, Lookup]] = field(default_factory=list)

    def section_names(self) -> list[str]:
        """Return the sections, ``[DEFAULT]`` excluded, in file order."""
        return list(self.sections)

    def has_section(self, section: str) -> bool:
        """Return whether ``section`` exists, as ``has_section`` does."""
        return section in self.sections

    def options(self, section: str) -> dict[str, Setting]:
        """Return a section's settings merged over ``[DEFAULT]``."""
        merged = dict(self.defaults)
        merged.update(self.sections.get(section, {}))
        return merged

    def setting(self, section: str, option: str) -> Setting | None:
        """Return the setting ``get()`` would read, or ``None``."""
        option = option.lower()
        if section in self.sections and option in self.sections[section]:
            return self.sections[section][option]
        if section in self.sections or section == DEFAULT_SECTION:
            return self.defaults.get(option)
        return None

    def get(self, section: str, option: str) -> Lookup:
        """Return what ConfigParser's ``get()`` returns or raises."""
        found = self.setting(section, option)
        if found is None:
            reason = "section" if not self.has_section(section) else "option"
            return Lookup(None, f"no-{reason}")
        names = {name: s.raw for name, s in self.options(section).items()}
        names["__name__"] = section
        return interpolate(found.raw, names)

    @property
    def starts(self) -> bool:
        """Return whether Autotest could read this configuration at all."""
        shadow_fatal = self.shadow_file is not None and self.shadow_file.fatal
        return not (self.global_file.fatal or shadow_fatal or self.merge_failures)


def interpolate(raw: str, names: Mapping[str, str]) -> Lookup:
    """Expand ``%(name)s`` references as Python 2.7 ConfigParser does.

    Works on bytes with bytes ``%`` formatting, the closest Python 3 has to
    Python 2's ``str % dict``.
    """
    # NOTE: Python 3 bytes formatting gives b'...' for %r and accepts %a,
    # where Python 2 gave '...' and rejected %a; both are exotic in a config.
    value = encode(raw)
    mapping = {encode(name): encode(text) for name, text in names.items()}
    for _ in range(MAX_INTERPOLATION_DEPTH):
        if not value or b"%(" not in value:
            return Lookup(decode(value))
        value = _REFERENCE_RE.sub(_lower_reference, value)
        try:
            value = value % _BytesMapping(mapping)
        except KeyError as error:
            name = error.args[0]
            if isinstance(name, bytes):
                name = decode(name)
            return Lookup(None, "missing", str(name))
        except (ValueError, TypeError) as error:
            return Lookup(None, "crash", str(error))
    if value and b"%(" in value:
        return Lookup(None, "depth")
    return Lookup(decode(value))


class _BytesMapping(Mapping):
    """A mapping that bytes ``%`` formatting accepts, and that raises
    ``KeyError`` with the name as given, as Python 2 did."""

    def __init__(self, data: dict[bytes, bytes]) -> None:
        self._data = data

    def __getitem__(self, key: bytes) -> bytes:
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def _lower_reference(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    if name is None:
        return match.group()
    return b"%(" + name.lower() + b")s"


def build(global_file: IniFile, shadow_file: IniFile | None = None) -> Config:
    """Merge the two files the way Autotest's settings module does."""
    config = Config(global_file=global_file, shadow_file=shadow_file)
    for option, assignment in global_file.defaults.items():
        config.defaults[option] = Setting(
            DEFAULT_SECTION, option, assignment.value, assignment
        )
    for section, options in global_file.sections.items():
        config.sections[section] = {
            option: Setting(section, option, a.value, a)
            for option, a in options.items()
        }
    if shadow_file is not None and not shadow_file.fatal:
        _overlay(config, shadow_file)
    return config


def _overlay(config: Config, shadow: IniFile) -> None:
    for section in shadow.section_names():
        target = config.sections.setdefault(section, {})
        visible = shadow.options(section)
        names = {name: a.value for name, a in visible.items()}
        # Python 2 ConfigParser stores each section's name as "__name__".
        names["__name__"] = section
        for option, assignment in visible.items():
            lookup = interpolate(assignment.value, names)
            if lookup.error is not None:
                config.merge_failures.append((assignment, lookup))
                # Autotest stops at the first failure, but gcheck reports
                # all of them, so the merge goes on.
                continue
            target[option] = Setting(
                section,
                option,
                lookup.value or "",
                assignment,
                source="shadow",
                inherited=assignment.section == DEFAULT_SECTION,
            )
