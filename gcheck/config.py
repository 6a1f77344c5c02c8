"""The effective configuration: ``global_config.ini`` with the shadow overlay.

Autotest's settings module reads ``global_config.ini`` with ConfigParser,
then, when ``shadow_config.ini`` exists, copies every option the shadow
parser lists for each shadow section (its ``[DEFAULT]`` options included)
over the first file, using the shadow parser's interpolated ``get()``.  An
interpolation failure during that copy stops Autotest at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gcheck.interpolation import (
    Lookup,
    encode_names,
    interpolate,
    interpolate_encoded,
)
from gcheck.reader import (
    DEFAULT_SECTION,
    NAME_OPTION,
    Assignment,
    Header,
    IniFile,
    optionxform,
)


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


@dataclass(frozen=True)
class MergeFailure:
    """A shadow option whose ``get()`` raised while Autotest merged it.

    ``section`` is the shadow section being copied.  It differs from
    ``assignment.section`` for an option of the shadow file's
    ``[DEFAULT]``, because such an option is copied into every section
    that the shadow file names.
    """

    section: str
    assignment: Assignment
    lookup: Lookup


@dataclass
class Config:
    """The merged view Autotest's ``get_value`` reads from."""

    global_file: IniFile
    shadow_file: IniFile | None = None
    sections: dict[str, dict[str, Setting]] = field(default_factory=dict)
    defaults: dict[str, Setting] = field(default_factory=dict)
    # Shadow options whose interpolation failed while merging: each of
    # these stops Autotest at start-up.
    merge_failures: list[MergeFailure] = field(default_factory=list)
    # Shadow sections the merge cannot add because ConfigParser's
    # add_section() rejects "default" in any case: Autotest stops too.
    rejected_sections: list[Header] = field(default_factory=list)
    # Each section's names for get(), encoded once.  NOTE: filled on first
    # use, so the sections must not change after build() returns.
    _encoded: dict[str, dict[bytes, bytes]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def section_names(self) -> list[str]:
        """Return the sections, ``[DEFAULT]`` excluded, in file order."""
        return list(self.sections)

    def has_section(self, section: str) -> bool:
        """Return whether ``section`` exists, as ``has_section`` does."""
        return section in self.sections

    def options(self, section: str) -> dict[str, Setting]:
        """Return the settings ``options()`` lists, in ConfigParser's order.

        The section's own options come first, then inherited ``[DEFAULT]``
        ones; ``__name__`` is left out, as ConfigParser leaves it out.
        """
        merged = dict(self.sections.get(section, {}))
        for option, setting in self.defaults.items():
            merged.setdefault(option, setting)
        merged.pop(NAME_OPTION, None)
        return merged

    def setting(self, section: str, option: str) -> Setting | None:
        """Return the setting ``get()`` would read, or ``None``."""
        option = optionxform(option)
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
        if "%(" not in found.raw:
            # ConfigParser returns a value without a reference as it is.
            return Lookup(found.raw)
        return interpolate_encoded(found.raw, self.encoded_names(section))

    def encoded_names(self, section: str) -> dict[bytes, bytes]:
        """Return the names ``%(name)s`` can refer to in ``section``, as bytes."""
        if section not in self._encoded:
            self._encoded[section] = encode_names(self._names(section))
        return self._encoded[section]

    def _names(self, section: str) -> dict[str, str]:
        """Return the names ``%(name)s`` can refer to in ``section``."""
        names = {option: s.raw for option, s in self.defaults.items()}
        # Python 2's ConfigParser keeps each section's name as the option
        # "__name__" of every section it read from a file, but not of the
        # sections that add_section() creates during the merge.
        if section in self.global_file.sections:
            names[NAME_OPTION] = section
        for option, setting in self.sections.get(section, {}).items():
            names[option] = setting.raw
        return names

    @property
    def starts(self) -> bool:
        """Return whether Autotest could read this configuration at all."""
        shadow_fatal = self.shadow_file is not None and self.shadow_file.fatal
        return not (
            self.global_file.fatal
            or shadow_fatal
            or self.merge_failures
            or self.rejected_sections
        )


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
    """Copy the shadow file's options over the global file's."""
    for section in shadow.section_names():
        if section not in config.sections and section.lower() == "default":
            config.rejected_sections.append(_first_header(shadow, section))
            continue
        target = config.sections.setdefault(section, {})
        names = shadow.names(section)
        for option, assignment in shadow.options(section).items():
            lookup = interpolate(assignment.value, names)
            if lookup.error is not None:
                config.merge_failures.append(MergeFailure(section, assignment, lookup))
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


def _first_header(ini: IniFile, section: str) -> Header:
    return next(header for header in ini.headers if header.name == section)
