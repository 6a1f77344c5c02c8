"""Schemas: the sections and keys a config file may hold, and their types.

A schema is a file in configobj's configspec language (docs/schema-language.rst)
that configobj reads and whose checks configobj's ``Validator`` runs, with the
check functions of :mod:`gcheck.schema_functions` in place of configobj's own.
The built-in schemas ship in the ``gcheck.schemas`` package.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from validate import Validator

from gcheck import values
from gcheck.errors import InputError
from gcheck.schema_functions import FUNCTIONS, META_KEYWORDS

DEFAULT_SCHEMA = "autotest"
_BUILTIN_PACKAGE = "gcheck.schemas"
_SUFFIX = ".spec"
_BUILTIN_NAME_RE = re.compile(r"[A-Za-z0-9_-]+")
# A template's placeholder: ``<host>`` in ``<host>_username``.
PLACEHOLDER_RE = re.compile(r"<([a-z][a-z0-9_]*)>")
# Name parts that mark a key unknown to the schema as secret all the same,
# so that every output masks its value.  Stems count anywhere in the name
# (``dbpassword``), short words only between "_" or "-" (``db_pw`` but not
# ``pwr_limit``), suffixes at the end (``dbpw``) and pairs as two words.
_SECRET_STEMS = (
    "password",
    "passwd",
    "pasword",
    "passphrase",
    "secret",
    "token",
    "credential",
    "apikey",
    "privatekey",
)
_SECRET_WORDS = frozenset({"pw", "pwd", "pass", "pword"})
_SECRET_SUFFIXES = ("pw", "pwd")
_SECRET_PAIRS = frozenset({("api", "key"), ("private", "key"), ("secret", "key")})
_WORD_SEPARATOR_RE = re.compile(r"[_-]+")

# Hosts to fill placeholders with: one list for every placeholder, or a
# list per placeholder name.
Fillers = Sequence[str] | Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class KeySpec:
    """The schema's declaration of one key.

    ``default`` is the value Autotest's code gets when the key is missing or
    blank, already typed (a tuple for list types, so that the spec stays
    hashable).  ``required`` keys have none, and Autotest raises "Value ...
    not found" for them.  A key matched through a template has
    ``template`` (``<host>_username``) and ``filler`` (the host) set.
    """

    section: str
    option: str
    type: str
    default: object = None
    secret: bool = False
    template: str | None = None
    check: str = ""
    required: bool = False
    default_text: str | None = None
    args: tuple[str, ...] = ()
    keywords: tuple[tuple[str, str], ...] = ()
    # The placeholder (``host``) this key's values fill in templates.
    placeholder: str | None = None
    filler: str | None = None

    def keyword(self, name: str) -> str | None:
        """Return the value of the check's keyword argument ``name``."""
        return dict(self.keywords).get(name)

    def normalize(self, text: str) -> object:
        """Return the typed value Autotest derives from ``text``.

        Blank text gives the default.  Raises ``ValueError`` where Autotest's
        conversion fails (``int()``, ``float()``); ranges, choices and names
        are not checked here.
        """
        if not values.strip(text):
            if isinstance(self.default, tuple):
                return list(self.default)
            return self.default
        convert = FUNCTIONS[self.type].convert
        return convert(text, *self.args, **dict(self.keywords))


class Schema:
    """A parsed schema: exact keys and templates, section by section."""

    def __init__(self, name: str, path: str, keys: list[KeySpec]) -> None:
        self.name = name
        self.path = path
        self._exact: dict[str, dict[str, KeySpec]] = {}
        self._templates: dict[str, list[KeySpec]] = {}
        for spec in keys:
            self._exact.setdefault(spec.section, {})
            self._templates.setdefault(spec.section, [])
            if spec.template is None:
                self._exact[spec.section][spec.option] = spec
            else:
                self._templates[spec.section].append(spec)
        self._validator = _validator()

    def section_names(self) -> list[str]:
        """Return the schema's sections in file order."""
        return list(self._exact)

    def has_section(self, section: str) -> bool:
        """Return whether ``section`` is a section of the schema."""
        return section in self._exact

    def keys(self, section: str) -> list[KeySpec]:
        """Return the exact (non-template) keys of ``section``."""
        return list(self._exact.get(section, {}).values())

    def templates(self, section: str) -> list[KeySpec]:
        """Return the templates of ``section``, such as ``<host>_username``."""
        return list(self._templates.get(section, []))

    def key(self, section: str, option: str, hosts: Fillers = ()) -> KeySpec | None:
        """Return the spec of ``option`` in ``section``, or ``None``.

        A template matches when ``hosts`` contains the host its placeholder
        is filled with, compared lower-cased as ConfigParser lower-cases
        option names; the longest matching host wins.
        """
        option = option.lower()
        exact = self._exact.get(section, {}).get(option)
        if exact is not None:
            return exact
        best: KeySpec | None = None
        for template in self._templates.get(section, []):
            filler = _fill(template, option, _fillers_for(template, hosts))
            if filler is not None and (best is None or len(filler) > len(best.filler)):
                best = _filled(template, option, filler)
        return best

    def template_matches(self, section: str, option: str) -> list[tuple[KeySpec, str]]:
        """Return ``(template, text)`` for each template ``option`` fits.

        ``text`` is the part of ``option`` in the placeholder's place, any text:
        ``dumpstr_username`` fits ``<host>_username`` with ``dumpstr``.
        """
        matches = []
        for template in self._templates.get(section, []):
            text = _placeholder_text(template.template or "", option.lower())
            if text:
                matches.append((template, text))
        return matches

    def sections_with(self, option: str, hosts: Fillers = ()) -> list[str]:
        """Return every section whose schema has ``option``."""
        return [s for s in self._exact if self.key(s, option, hosts) is not None]

    def is_secret(self, section: str, option: str) -> bool:
        """Return whether the value of ``option`` must never be shown.

        Keys the schema marks ``secret``, templates included whatever their
        host, and keys unknown to the schema whose name looks secret (see
        :func:`looks_secret`).  The value of a key that refers to a secret
        one is secret too; :class:`gcheck.values.Secrets` decides that.
        """
        option = option.lower()
        spec = self._exact.get(section, {}).get(option)
        if spec is None:
            for template, _text in self.template_matches(section, option):
                return template.secret
            return looks_secret(option)
        return spec.secret

    def placeholder_keys(self) -> list[KeySpec]:
        """Return the keys whose values fill placeholders, in file order."""
        keys = [spec for section in self._exact.values() for spec in section.values()]
        return [spec for spec in keys if spec.placeholder is not None]

    def check(self, spec: KeySpec, text: str) -> object:
        """Run the key's check on non-blank ``text`` with configobj's Validator.

        Returns the typed value; raises a ``validate.ValidateError``
        subclass from :mod:`gcheck.schema_functions` when the check fails.
        """
        return self._validator.check(spec.check, text)


def _fillers_for(template: KeySpec, hosts: Fillers) -> Sequence[str]:
    if isinstance(hosts, Mapping):
        return hosts.get(_placeholder_name(template.template or ""), ())
    return hosts


def _placeholder_name(template: str) -> str:
    match = PLACEHOLDER_RE.search(template)
    return match.group(1) if match else ""


def looks_secret(name: str) -> bool:
    """Return whether an option name looks like the name of a password or key."""
    name = name.lower()
    if any(stem in name for stem in _SECRET_STEMS):
        return True
    if name.endswith(_SECRET_SUFFIXES):
        return True
    words = [word for word in _WORD_SEPARATOR_RE.split(name) if word]
    if any(word in _SECRET_WORDS for word in words):
        return True
    return any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


def _placeholder_text(template: str, option: str) -> str | None:
    match = PLACEHOLDER_RE.search(template)
    if match is None:
        return None
    prefix, suffix = template[: match.start()], template[match.end() :]
    fits = option.startswith(prefix) and option.endswith(suffix)
    if not fits or len(option) <= len(prefix) + len(suffix):
        return None
    return option[len(prefix) : len(option) - len(suffix)]


def _fill(template: KeySpec, option: str, hosts: Sequence[str]) -> str | None:
    text = _placeholder_text(template.template or "", option)
    if text is None:
        return None
    for host in hosts:
        if host.lower() == text:
            return host
    return None


def _filled(template: KeySpec, option: str, filler: str) -> KeySpec:
    return dataclasses.replace(template, option=option, filler=filler)


def _validator() -> Validator:
    validator = Validator()
    # Only gcheck's functions: configobj's own (boolean, integer...) follow
    # rules other than Autotest's.
    validator.functions = {name: _drop_meta(f.check) for name, f in FUNCTIONS.items()}
    return validator


def _drop_meta(check):
    def run(value, *args, **kwargs):
        for name in META_KEYWORDS:
            kwargs.pop(name, None)
        return check(value, *args, **kwargs)

    return run


def load(name_or_path: str = DEFAULT_SCHEMA) -> Schema:
    """Load a built-in schema by name, or a schema file by path.

    A bare name (letters, digits, ``_``, ``-``) names a built-in schema when
    one exists; anything else is a path.  Built-in schemas are parsed once
    per process.  Raises :class:`InputError` for a missing or invalid file.
    """
    if _BUILTIN_NAME_RE.fullmatch(name_or_path) and name_or_path in builtin_names():
        return _load_builtin(name_or_path)
    path = Path(name_or_path)
    if not path.exists() and _BUILTIN_NAME_RE.fullmatch(name_or_path):
        known = ", ".join(builtin_names())
        raise InputError(
            name_or_path,
            f"no built-in schema of that name (built-in: {known}) and no such file",
            hint="give a built-in schema's name or the path of a .spec file",
        )
    return _parse_file(path)


def builtin_names() -> list[str]:
    """Return the names of the schemas that ship with gcheck."""
    folder = resources.files(_BUILTIN_PACKAGE)
    names = [entry.name for entry in folder.iterdir() if entry.name.endswith(_SUFFIX)]
    return sorted(name[: -len(_SUFFIX)] for name in names)


@functools.cache
def _load_builtin(name: str) -> Schema:
    entry = resources.files(_BUILTIN_PACKAGE).joinpath(name + _SUFFIX)
    text = entry.read_text(encoding="utf-8")
    return _parse(text, name=name, path=f"{_BUILTIN_PACKAGE}/{name}{_SUFFIX}")


def _parse_file(path: Path) -> Schema:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), "schema file not found") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a directory, not a schema file") from None
    except UnicodeDecodeError as error:
        raise InputError(
            str(path), f"schema file is not UTF-8 text ({error.reason})"
        ) from None
    except OSError as error:
        raise InputError(
            str(path), f"cannot read schema file: {error.strerror}"
        ) from None
    return _parse(text, name=path.stem, path=str(path))


def _parse(text: str, name: str, path: str) -> Schema:
    from gcheck.schema_parser import parse_keys

    return Schema(name, path, parse_keys(text, path))
