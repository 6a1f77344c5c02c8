"""Expand ``%(name)s`` references as Python 2.7's ConfigParser ``get()`` does.

ConfigParser formats a value with Python 2's ``str % mapping``.  Python 3's
bytes formatting differs from it in many corners (``% %``, ``%(a)%``,
``%r``, ``%a``, ``%b``, a bare ``%s``), so this module reimplements the
mapping case of Python 2.7's ``PyString_Format`` on bytes.  Values are
always strings there, so every numeric conversion fails, as it does in
Python 2.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from gcheck.reader import decode, encode

MAX_INTERPOLATION_DEPTH = 10
# ConfigParser._KEYCRE: a "%(name)s" reference, or any other character.
_REFERENCE_RE = re.compile(rb"%\(([^)]*)\)s|.", re.DOTALL)
_FLAGS = b"-+ #0"
_DIGITS = b"0123456789"
_NUMERIC = b"iduoxXeEfFgG"
# Python 2 tries to allocate the padded result and fails with MemoryError
# for huge widths; past this width gcheck reports that failure instead.
_MAX_WIDTH = 10_000_000


@dataclass(frozen=True)
class Lookup:
    """The outcome of ConfigParser's ``get()`` for one option.

    ``error`` is ``None`` on success, or one of these:

    - ``no-section``, ``no-option``: there is nothing to get.
    - ``missing``: a reference to an undefined name (named in ``detail``).
    - ``depth``: references nested more than ten levels deep.
    - ``crash``: any other formatting error.

    ConfigParser raises its own errors for ``missing`` and ``depth``, which
    Autotest's ``get_value`` catches.  It does not catch a ``crash``.
    """

    value: str | None
    error: str | None = None
    detail: str = ""


def interpolate(raw: str, names: Mapping[str, str]) -> Lookup:
    """Expand ``raw`` against ``names`` (lower-case option names to values)."""
    if "%(" not in raw:
        return Lookup(raw)
    return interpolate_encoded(raw, encode_names(names))


def encode_names(names: Mapping[str, str]) -> dict[bytes, bytes]:
    """Return ``names`` as the bytes that ``%`` formatting works on."""
    return {encode(name): encode(text) for name, text in names.items()}


def interpolate_encoded(raw: str, mapping: Mapping[bytes, bytes]) -> Lookup:
    """Expand ``raw`` against names and values already encoded to bytes."""
    value = encode(raw)
    for _ in range(MAX_INTERPOLATION_DEPTH):
        if not value or b"%(" not in value:
            return Lookup(decode(value))
        value = _REFERENCE_RE.sub(_lower_reference, value)
        try:
            value = format_mapping(value, mapping)
        except KeyError as error:
            return Lookup(None, "missing", decode(error.args[0]))
        except (ValueError, TypeError, MemoryError) as error:
            return Lookup(None, "crash", str(error))
    if value and b"%(" in value:
        return Lookup(None, "depth")
    return Lookup(decode(value))


def _lower_reference(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    if name is None:
        return match.group()
    return b"%(" + name.lower() + b")s"


class _Format:
    """A cursor over a format string, one byte at a time."""

    def __init__(self, text: bytes) -> None:
        self.text = text
        self.index = 0

    def next(self) -> int | None:
        """Return the next byte, or ``None`` past the end."""
        if self.index >= len(self.text):
            return None
        byte = self.text[self.index]
        self.index += 1
        return byte


def format_mapping(template: bytes, mapping: Mapping[bytes, bytes]) -> bytes:
    """Return ``template % mapping`` as Python 2.7 computes it for a str.

    Raises ``KeyError`` (with the name) for a missing key, ``TypeError``,
    ``ValueError`` or ``MemoryError`` where Python 2 raises them.
    """
    out = bytearray()
    cursor = _Format(template)
    # Python 2 passes the whole mapping to a conversion without a key.  After
    # a key, the next conversion gets that key's value, and a second
    # conversion without a key has no argument left.
    state = {"argument": mapping, "available": True}
    while (byte := cursor.next()) is not None:
        if byte != ord("%"):
            out.append(byte)
            continue
        out += _convert(cursor, mapping, state)
    return bytes(out)


def _convert(cursor: _Format, mapping: Mapping[bytes, bytes], state: dict) -> bytes:
    """Format one ``%`` conversion; the cursor is just past the ``%``."""
    if cursor.index < len(cursor.text) and cursor.text[cursor.index] == ord("("):
        state["argument"] = mapping[_read_key(cursor)]
        state["available"] = True
    char = cursor.next()
    flags = set()
    while char is not None and char in _FLAGS:
        flags.add(char)
        char = cursor.next()
    width, char = _read_number(cursor, char, state)
    precision = -1
    if char == ord("."):
        precision, char = _read_number(cursor, cursor.next(), state)
        precision = max(precision, 0)
    if char is not None and char in b"hlL":
        char = cursor.next()
    if char is None:
        raise ValueError("incomplete format")
    if char == ord("%"):
        body = b"%"
    else:
        body = _render(char, _take_argument(state), precision, cursor.index)
    return _pad(body, width, ord("-") in flags)


def _read_key(cursor: _Format) -> bytes:
    """Read a ``(key)``, parentheses balanced, as Python 2 does."""
    cursor.index += 1
    start = cursor.index
    depth = 1
    while depth and (char := cursor.next()) is not None:
        if char == ord(")"):
            depth -= 1
        elif char == ord("("):
            depth += 1
    if depth:
        raise ValueError("incomplete format key")
    return cursor.text[start : cursor.index - 1]


def _read_number(
    cursor: _Format, char: int | None, state: dict
) -> tuple[int, int | None]:
    """Read a width or precision: ``*`` or digits; -1 when absent."""
    if char == ord("*"):
        _take_argument(state)
        # The argument is a string or the mapping, never an int.
        raise TypeError("* wants int")
    if char is None or char not in _DIGITS:
        return -1, char
    number = char - ord("0")
    while (char := cursor.next()) is not None and char in _DIGITS:
        number = number * 10 + char - ord("0")
    if number > _MAX_WIDTH:
        raise MemoryError(f"width {number} too big to format")
    return number, char


def _take_argument(state: dict) -> object:
    if not state["available"]:
        raise TypeError("not enough arguments for format string")
    state["available"] = False
    return state["argument"]


def _render(char: int, argument: object, precision: int, index: int) -> bytes:
    """Convert one argument (a value, or the whole mapping) with ``char``."""
    if char in b"sr":
        text = _py2_repr(argument) if char == ord("r") else _py2_str(argument)
        return text if precision < 0 else text[:precision]
    if char == ord("c"):
        if isinstance(argument, bytes) and len(argument) == 1:
            return argument
        raise TypeError("%c requires int or char")
    if char in _NUMERIC:
        raise TypeError(f"%{chr(char)} format: a number is required, not str")
    raise ValueError(
        f"unsupported format character {chr(char)!r} (0x{char:x}) at index {index - 1}"
    )


def _pad(body: bytes, width: int, left: bool) -> bytes:
    if width <= len(body):
        return body
    fill = b" " * (width - len(body))
    return body + fill if left else fill + body


def _py2_str(argument: object) -> bytes:
    if isinstance(argument, bytes):
        return argument
    return _py2_repr(argument)


def _py2_repr(argument: object) -> bytes:
    """Return Python 2's ``repr()`` of a str, or of the whole mapping."""
    if not isinstance(argument, bytes):
        # NOTE: Python 2 prints the mapping in its dict's hash order, which
        # this does not reproduce; only the order of the items can differ.
        items = (_py2_repr(k) + b": " + _py2_repr(v) for k, v in argument.items())
        return b"{" + b", ".join(items) + b"}"
    quote = b"'"
    if b"'" in argument and b'"' not in argument:
        quote = b'"'
    out = bytearray(quote)
    for byte in argument:
        out += _escape(byte, quote[0])
    out += quote
    return bytes(out)


_ESCAPES = {ord("\t"): b"\\t", ord("\n"): b"\\n", ord("\r"): b"\\r"}


def _escape(byte: int, quote: int) -> bytes:
    if byte == quote or byte == ord("\\"):
        return b"\\" + bytes((byte,))
    if byte in _ESCAPES:
        return _ESCAPES[byte]
    if byte < 0x20 or byte >= 0x7F:
        return b"\\x%02x" % byte
    return bytes((byte,))
