"""Read a schema file into :class:`gcheck.schema.KeySpec` records.

configobj reads the file, and its ``_inspec`` mode keeps each check as raw
text, which configobj's ``Validator`` takes apart.  This module checks what
configobj does not know about: function names, their arguments, defaults,
the secret marker and templates.  Every mistake is an :class:`InputError` naming
the schema file.
"""

from __future__ import annotations

import re

from configobj import ConfigObj, ConfigObjError
from validate import ValidateError, Validator

from gcheck.errors import InputError
from gcheck.schema import PLACEHOLDER_RE, KeySpec
from gcheck.schema_functions import FOLDS, FUNCTIONS, PLACEHOLDER, SECRET, Function

# A check is a function name, optionally followed by "(arguments)" and
# nothing else: configobj would silently ignore text after the ")".
_CHECK_RE = re.compile(r"\s*[A-Za-z_]\w*\s*(\(.*\))?\s*", re.DOTALL)
_TRUE_WORDS = {"true", "yes", "on", "1"}
_FALSE_WORDS = {"false", "no", "off", "0"}
_LIST_FUNCTIONS = {"list", "hosts", "words"}


class _SpecError(Exception):
    """One mistake in one key of a schema."""


def parse_keys(text: str, path: str) -> list[KeySpec]:
    """Return every key and template of the schema ``text`` read from ``path``."""
    try:
        spec = ConfigObj(
            text.splitlines(), _inspec=True, interpolation=False, raise_errors=True
        )
    except ConfigObjError as error:
        raise InputError(path, f"invalid schema: {error}") from None
    if spec.scalars:
        raise InputError(
            path, f"invalid schema: key {spec.scalars[0]!r} comes before any section"
        )
    parser = Validator()
    keys = []
    for section_name in spec.sections:
        section = spec[section_name]
        if section.sections:
            raise InputError(
                path,
                f"invalid schema: [{section_name}] has a subsection "
                f"[[{section.sections[0]}]]; schemas have one level of sections",
            )
        for option in section.scalars:
            try:
                keys.append(_key(parser, section_name, option, section[option]))
            except _SpecError as error:
                raise InputError(
                    path, f"invalid schema: [{section_name}] {option}: {error}"
                ) from None
    _check_placeholders(keys, path)
    return keys


def _key(parser: Validator, section: str, option: str, check: str) -> KeySpec:
    _check_option_name(option)
    if not _CHECK_RE.fullmatch(check):
        raise _SpecError(
            f"{check!r} is not a check such as int(min=0); "
            "comments belong on lines of their own"
        )
    try:
        name, args, keywords, default = parser._parse_with_caching(check)
    except ValidateError as error:
        raise _SpecError(str(error)) from None
    function = _function(name)
    _check_arguments(function, args, keywords)
    typed_default, default_text = _default(function, default, args, keywords)
    template = option if PLACEHOLDER_RE.search(option) else None
    placeholder = keywords.get(PLACEHOLDER)
    if template is not None and placeholder is not None:
        raise _SpecError("a template cannot itself fill a placeholder")
    return KeySpec(
        section=section,
        option=option,
        type=name,
        default=typed_default,
        secret=_flag(keywords.get(SECRET, "false"), SECRET),
        template=template,
        check=check.strip(),
        required=default is None,
        default_text=default_text,
        args=tuple(args),
        keywords=tuple(
            (k, v) for k, v in keywords.items() if k not in (SECRET, PLACEHOLDER)
        ),
        placeholder=placeholder,
    )


def _check_option_name(option: str) -> None:
    if option != option.lower():
        raise _SpecError(
            "key names must be lower case, because ConfigParser lower-cases "
            "every option name it reads"
        )
    if ":" in option or "=" in option or option != option.strip():
        raise _SpecError("no option name can contain ':' or '=' or start with a space")
    placeholders = PLACEHOLDER_RE.findall(option)
    bare = PLACEHOLDER_RE.sub("", option)
    if len(placeholders) > 1 or "<" in bare or ">" in bare:
        raise _SpecError(
            "a template must contain exactly one placeholder, written <name> in lower case"
        )


def _function(name: str) -> Function:
    function = FUNCTIONS.get(name)
    if function is None:
        known = ", ".join(FUNCTIONS)
        raise _SpecError(f"unknown check function {name!r} (known: {known})")
    return function


def _check_arguments(function: Function, args: list, keywords: dict) -> None:
    if args and not function.positional:
        raise _SpecError(f"{function.name}() takes keyword arguments only")
    if function.positional and not args:
        raise _SpecError(f"{function.name}() needs at least one allowed value")
    allowed = function.keywords | {SECRET}
    if function.names_hosts:
        allowed |= {PLACEHOLDER}
    for keyword, value in keywords.items():
        if keyword not in allowed:
            names = ", ".join(sorted(allowed | {"default"}))
            raise _SpecError(
                f"{function.name}() takes no argument {keyword!r} (it takes: {names})"
            )
        if not isinstance(value, str):
            raise _SpecError(f"{keyword}= takes one value, not a list")
    _check_keyword_values(function, keywords)


def _check_keyword_values(function: Function, keywords: dict) -> None:
    for bound in ("min", "max"):
        if bound in keywords:
            try:
                function.convert(keywords[bound])
            except ValueError:
                raise _SpecError(
                    f"{bound}={keywords[bound]!r} is not a valid {function.name}"
                ) from None
    if "fold" in keywords and keywords["fold"] not in FOLDS:
        raise _SpecError(f"fold={keywords['fold']!r}: the only fold is 'enum'")
    placeholder = keywords.get(PLACEHOLDER)
    if placeholder is not None and not re.fullmatch(r"[a-z][a-z0-9_]*", placeholder):
        raise _SpecError(
            f"placeholder={placeholder!r}: use a lower-case name such as host"
        )


def _default(
    function: Function, default: object, args: list, keywords: dict
) -> tuple[object, str | None]:
    """Return the typed default and its text; both ``None`` when there is none."""
    if default is None or default == "None":
        return None, None
    if isinstance(default, list):
        if function.name not in _LIST_FUNCTIONS:
            raise _SpecError(f"default=list(...) does not suit {function.name}()")
        return tuple(item.strip() for item in default), ", ".join(default)
    options = {k: v for k, v in keywords.items() if k not in (SECRET, PLACEHOLDER)}
    try:
        typed = function.convert(default, *args, **options)
    except ValueError:
        raise _SpecError(
            f"default={default!r} is not a valid {function.name}"
        ) from None
    # A list becomes a tuple, so that KeySpec stays hashable.
    return (tuple(typed) if isinstance(typed, list) else typed), default


def _flag(text: str, keyword: str) -> bool:
    word = text.lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise _SpecError(f"{keyword}={text!r}: use yes or no")


def _check_placeholders(keys: list[KeySpec], path: str) -> None:
    declared = {spec.placeholder for spec in keys if spec.placeholder}
    for spec in keys:
        if spec.template is None:
            continue
        name = PLACEHOLDER_RE.search(spec.template).group(1)
        if name not in declared:
            raise InputError(
                path,
                f"invalid schema: [{spec.section}] {spec.option}: no key fills "
                f"<{name}>; mark a host or hosts key with placeholder={name}",
            )
