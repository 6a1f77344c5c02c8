"""gcheck's reader and overlay against the real Python 2.7 ConfigParser.

Real Autotest files and generated files go to Python 2.7 in batches.  The
sections, options, raw values, ``get()`` results (or error kinds) and the
shadow merge must come out the same from gcheck.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from py27_oracle import describe, gcheck_text, oracle

from gcheck import config, reader

# Pieces that exercise every rule: headers (odd ones too), option names,
# delimiters, values with comments, quotes and "%" formatting, and
# comment, rem, blank and indented lines.
HEADERS = [b"[a]", b"[b]", b"[DEFAULT]", b"[default]", b"[ a]", b"[a] x", b"[]", b"[a"]
NAMES = [b"x", b"X", b"y", b"a", b"__name__", b"Q r", b"rem", b"\xc3\x84", b""]
DELIMITERS = [b"=", b":", b" = ", b" : ", b"\t:"]
# A bare "%s" next to "%(" prints the whole mapping in Python 2's hash
# order.  gcheck does not reproduce that order, so such values stay out.
VALUES = [
    b"%(x)s",
    b"%(y)s",
    b"%(X)s",
    b"%%",
    b"%(__name__)s",
    b"%",
    b"%(q)s",
    b"%(a)r",
    b"% %(x)s",
    b"%(x)%",
    b"%(x)5s",
    b"%(x)c",
    b"%(x)d",
    b"%(x).2s",
    b"%(x)-4s|",
    b"%(",
    b")s",
    b"1",
    b"v w",
    b" ;c",
    b";",
    b'""',
    b"\xff",
    b"'",
    b'"',
    b"#",
    b"\r",
    b"\x00",
    b" ",
]
OTHER_LINES = [
    b"",
    b"#c",
    b";c",
    b"rem x",
    b"REM",
    b"  ",
    b"junk",
    b"=x",
    b"\xef\xbb\xbf[a]",
]


@st.composite
def lines(draw) -> bytes:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.sampled_from(HEADERS))
    if kind == 1:
        indent = draw(st.sampled_from([b" ", b"\t", b"   "]))
        return indent + draw(st.sampled_from(VALUES + NAMES + HEADERS))
    if kind == 2:
        return draw(st.sampled_from(OTHER_LINES))
    name = draw(st.sampled_from(NAMES))
    value = b"".join(draw(st.lists(st.sampled_from(VALUES), max_size=3)))
    return name + draw(st.sampled_from(DELIMITERS)) + value


@st.composite
def ini_files(draw) -> bytes:
    body = b"\n".join(draw(st.lists(lines(), max_size=10)))
    start = draw(st.sampled_from([b"[a]\n", b"[a]\n", b"[DEFAULT]\n", b""]))
    end = draw(st.sampled_from([b"", b"\n", b"\r\n"]))
    return start + body + end


cases = st.tuples(ini_files(), st.one_of(st.none(), ini_files()))


def test_history_matches_python27(data_dir: Path):
    paths = sorted((data_dir / "history").glob("*.ini"))
    assert len(paths) >= 10
    batch = [(path.read_bytes(), None) for path in paths]
    for path, case, expected in zip(paths, batch, oracle().run(batch), strict=True):
        assert describe(*case) == expected, path.name


def test_shipped_files_match_python27(data_dir: Path):
    data = (data_dir / "global_config.ini").read_bytes()
    shadow = (data_dir / "shadow_config.ini").read_bytes()
    batch = [(data, None), (data, shadow)]
    expected = oracle().run(batch)
    assert describe(data) == expected[0]
    assert describe(data, shadow) == expected[1]
    assert expected[1]["merged"]["error"] is None


def test_shipped_effective_values_match_python27(data_dir: Path):
    data = (data_dir / "global_config.ini").read_bytes()
    (expected,) = oracle().run([(data, None)])
    effective = config.build(reader.parse(data, "global_config.ini"))
    checked = 0
    for section, options in expected["global"]["sections"]:
        for option, _raw, value, _error in options:
            got = effective.get(section, option)
            assert got.value == gcheck_text(value), f"[{section}] {option}"
            checked += 1
    assert checked == 94


def test_shipped_file_reads_cleanly(data_dir: Path):
    ini = reader.parse((data_dir / "global_config.ini").read_bytes(), "g")
    assert ini.problems == []
    assert "SCHEDULER" in ini.section_names()
    assert ini.sections["AUTOTEST_WEB"]["password"].value == "please_set_this_password"


def test_history_files_read_without_crash(data_dir: Path):
    for path in sorted((data_dir / "history").glob("*.ini")):
        ini = reader.parse(path.read_bytes(), str(path))
        merged = config.build(ini)
        assert merged.starts, path.name
        assert merged.section_names(), path.name


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cases, min_size=1, max_size=30))
def test_generated_files_match_python27(batch):
    results = oracle().run(batch)
    for case, expected in zip(batch, results, strict=True):
        assert describe(*case) == expected, case


random_files = st.binary(max_size=200) | st.binary(max_size=200).map(b"[a]\n".__add__)


@settings(max_examples=10, deadline=None)
@given(st.lists(st.tuples(random_files, st.none()), min_size=1, max_size=20))
def test_random_bytes_match_python27(batch):
    results = oracle().run(batch)
    for case, expected in zip(batch, results, strict=True):
        assert describe(*case) == expected, case
