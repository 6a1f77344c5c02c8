"""Python 2.7's ``str % mapping``, reimplemented on bytes for interpolation.

Expected values come from Python 2.7.18 (``'...' % ConfigParser._Chainmap``)
and are also checked against it in one batch.
"""

from __future__ import annotations

import pytest
from py27_oracle import describe, oracle, summarize

from gcheck.interpolation import Lookup, format_mapping, interpolate

MAPPING = {b"a": b"x", b"b": b"it's\\\x01\xff", b"": b"E"}

# (template, expected result or the exception type Python 2.7 raises)
FORMATS = [
    (b"%(a)s", b"x"),
    (b"%(a)s %(a)s", b"x x"),
    (b"%%", b"%"),
    (b"% %", b"%"),
    (b"%(a)%", b"%"),
    (b"%(a)5%|", b"    %|"),
    (b"%(a)5s|", b"    x|"),
    (b"%(a)-3s|", b"x  |"),
    (b"%(a)#-5s|", b"x    |"),
    (b"%(a).1s", b"x"),
    (b"%(b).2s", b"it"),
    (b"%(a)ls", b"x"),
    (b"%.s", b""),
    (b"%(a)c", b"x"),
    (b"%(a)r", b"'x'"),
    (b"%(b)r", b'"it\'s\\\\\\x01\\xff"'),
    (b"%()s", b"E"),
    (b"%((a))s", KeyError),
    (b"%(z)s", KeyError),
    (b"%(a)", ValueError),
    (b"%(a", ValueError),
    (b"%(a)s %", ValueError),
    (b"%(a)b", ValueError),
    (b"%(a)a", ValueError),
    (b"%(a)d", TypeError),
    (b"%(a)f", TypeError),
    (b"%(b)c", TypeError),
    (b"%(a)*s", TypeError),
    (b"%*(a)s", TypeError),
    (b"%(a)s %s", TypeError),
    (b"%(a)99999999999s", MemoryError),
]


@pytest.mark.parametrize(("template", "expected"), FORMATS, ids=repr)
def test_format_mapping(template, expected):
    if isinstance(expected, bytes):
        assert format_mapping(template, MAPPING) == expected
    else:
        with pytest.raises(expected):
            format_mapping(template, MAPPING)


def test_format_mapping_missing_key_named():
    with pytest.raises(KeyError) as raised:
        format_mapping(b"%(a)s %(z)s", MAPPING)
    assert raised.value.args == (b"z",)


def test_first_error_wins():
    assert interpolate("%(a)d %(z)s", {"a": "x"}).error == "crash"
    assert interpolate("%(z)s %(a)d", {"a": "x"}) == Lookup(None, "missing", "z")


def test_interpolate_outcomes():
    assert interpolate("", {}) == Lookup("")
    assert interpolate("100%", {}) == Lookup("100%")
    assert interpolate("%(A)s", {"a": "1"}) == Lookup("1")
    assert interpolate("%(a)s", {"a": "%(b)s", "b": "2"}) == Lookup("2")
    assert interpolate("%(a)s", {"a": "%(a)s"}) == Lookup(None, "depth")


def test_formats_match_python27():
    # Each template becomes the value of t in a file that sets a and b as
    # MAPPING does.  A file cannot set "", so "%()s" fails in both.
    head = b"[s]\na = x\nb = " + MAPPING[b"b"] + b"\nt = "
    cases = [(head + template + b"\n", None) for template, _ in FORMATS]
    results = oracle().run(cases)
    for (data, _), result in zip(cases, results, strict=True):
        assert summarize(result) == summarize(describe(data)), data
