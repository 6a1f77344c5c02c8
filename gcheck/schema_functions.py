"""The check functions a schema file may name, with Autotest's value rules.

Each function takes the text Autotest's ``get_value`` would convert (never
blank: a blank value means the default) and returns the value Autotest's
code ends up with, or raises a :class:`validate.ValidateError` subclass.
They replace configobj's own functions, whose rules differ from Autotest's
(configobj reads ``no`` as False, for example).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from validate import ValidateError, VdtTypeError, VdtValueError

from gcheck import values


class ConversionError(VdtTypeError):
    """Python's ``int()`` or ``float()`` rejects the text."""

    def __init__(self, value: str, kind: str) -> None:
        ValidateError.__init__(self, f"{value!r} is not {kind}")
        self.value = value
        self.kind = kind


class OutOfRangeError(VdtValueError):
    """The number is below ``minimum`` or above ``maximum``."""

    def __init__(self, value: float, minimum: float | None, maximum: float | None):
        ValidateError.__init__(self, f"{value} is out of range")
        self.value = value
        self.minimum = minimum
        self.maximum = maximum


class NotAllowedError(VdtValueError):
    """Text that matches none of the values the key allows."""

    def __init__(self, value: str, choices: Sequence[str]) -> None:
        ValidateError.__init__(self, f"{value!r} is not one of {list(choices)}")
        self.value = value
        self.choices = tuple(choices)


class InvalidNamesError(VdtValueError):
    """Items of a host list, a host or a login that are not valid names.

    ``problems`` contains ``(item, reason)`` pairs, ``reason`` from
    :func:`gcheck.values.host_problem` or :func:`gcheck.values.login_problem`.
    """

    def __init__(self, kind: str, problems: Sequence[tuple[str, str]]) -> None:
        ValidateError.__init__(self, f"invalid {kind}: {problems}")
        self.kind = kind
        self.problems = tuple(problems)


def _number(value: str, convert: Callable[[str], float], kind: str) -> float:
    try:
        return convert(value)
    except ValueError:
        raise ConversionError(values.strip(value), kind) from None


def _limit(text: str | None, convert: Callable[[str], float]) -> float | None:
    return None if text is None else convert(text)


def _in_range(number: float, minimum: float | None, maximum: float | None) -> None:
    too_small = minimum is not None and number < minimum
    too_big = maximum is not None and number > maximum
    if too_small or too_big:
        raise OutOfRangeError(number, minimum, maximum)


def check_str(value: str) -> str:
    """Return the text stripped, as Autotest reads any text."""
    return values.strip(value)


def check_int(value: str, min: str | None = None, max: str | None = None) -> int:
    """Return the integer Python 2.7's ``int()`` reads, within ``min``..``max``."""
    number = _number(value, values.to_int, "an integer")
    _in_range(number, _limit(min, values.to_int), _limit(max, values.to_int))
    return number


def check_float(value: str, min: str | None = None, max: str | None = None) -> float:
    """Return the number Python 2.7's ``float()`` reads, within ``min``..``max``."""
    number = _number(value, values.to_float, "a number")
    _in_range(number, _limit(min, values.to_float), _limit(max, values.to_float))
    return number


def check_port(value: str) -> int:
    """Return a TCP port number from 1 to 65535."""
    number = _number(value, values.to_int, "a port number")
    _in_range(number, 1, 65535)
    return number


def check_bool(value: str) -> bool:
    """Return Autotest's bool: False only for ``false`` in any case."""
    return values.to_bool(value)


def check_flag(value: str) -> bool:
    """Return True: any non-blank text sets a flag such as ``<host>_disabled``."""
    return values.is_set(value)


def check_list(value: str) -> list[str]:
    """Return Autotest's list: the text split on ``,``, each item stripped."""
    return values.to_list(value)


def check_words(value: str) -> list[str]:
    """Return the words of a whitespace-separated list (``<host>_users``)."""
    return values.to_words(value)


def check_choice(value: str, *choices: str, fold: str | None = None) -> str:
    """Return the text if it is one of ``choices``.

    ``fold="enum"`` compares as Autotest's enums do and returns the folded name.
    """
    text = values.fold_enum_name(value) if fold == "enum" else values.strip(value)
    if text not in choices:
        raise NotAllowedError(values.strip(value), choices)
    return text


def check_login(value: str) -> str:
    """Return the text if POSIX systems accept it as a user name."""
    name = values.strip(value)
    problem = values.login_problem(name)
    if problem is not None:
        raise InvalidNamesError("login", [(name, problem)])
    return name


def check_host(value: str) -> str:
    """Return the text if it is one host name or IP address (it is not split)."""
    name = values.strip(value)
    problem = values.host_problem(name)
    if problem is not None:
        raise InvalidNamesError("host", [(name, problem)])
    return name


def check_hosts(value: str) -> list[str]:
    """Return the host list, split on ``,`` as Autotest's scheduler splits it."""
    names = values.to_list(value)
    problems = []
    for name in names:
        problem = values.host_problem(name)
        if problem is not None:
            problems.append((name, problem))
    if problems:
        raise InvalidNamesError("host list", problems)
    return names


@dataclass(frozen=True)
class Function:
    """A check function and the arguments a schema may give it.

    ``convert`` turns text into the value Autotest derives, without the
    checks of ranges, choices and names; it takes the same arguments as
    ``check``.  ``keywords`` are the keyword arguments ``check`` takes;
    ``positional`` is True when it takes positional ones (``choice``).
    """

    name: str
    check: Callable[..., object]
    convert: Callable[..., object]
    keywords: frozenset[str] = frozenset()
    positional: bool = False
    # Whether the key's values may fill a template's placeholder.
    names_hosts: bool = False


def _text_only(convert: Callable[[str], object]) -> Callable[..., object]:
    """Adapt a one-argument converter to the check's full signature."""

    def adapted(value: str, *args: str, **kwargs: str) -> object:
        return convert(value)

    return adapted


def _convert_choice(value: str, *choices: str, fold: str | None = None) -> str:
    return values.fold_enum_name(value) if fold == "enum" else values.strip(value)


def _convert_port(value: str) -> int | str:
    # Autotest hands the text to smtplib, which also takes a service name.
    try:
        return values.to_int(value)
    except ValueError:
        return values.strip(value)


_RANGE = frozenset({"min", "max"})

FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        Function("str", check_str, _text_only(values.strip)),
        Function("int", check_int, _text_only(values.to_int), _RANGE),
        Function("float", check_float, _text_only(values.to_float), _RANGE),
        Function("port", check_port, _text_only(_convert_port)),
        Function("bool", check_bool, _text_only(values.to_bool)),
        Function("flag", check_flag, _text_only(values.is_set)),
        Function("list", check_list, _text_only(values.to_list)),
        Function("words", check_words, _text_only(values.to_words)),
        Function("choice", check_choice, _convert_choice, frozenset({"fold"}), True),
        Function("login", check_login, _text_only(values.strip)),
        Function("host", check_host, _text_only(values.strip), names_hosts=True),
        Function("hosts", check_hosts, _text_only(values.to_list), names_hosts=True),
    )
}

# Keywords the schema reads itself and never passes to a check function.
# configobj's Validator takes ``default`` out on its own.
SECRET = "secret"
PLACEHOLDER = "placeholder"
META_KEYWORDS = frozenset({SECRET, PLACEHOLDER})
FOLDS = frozenset({"enum"})
