"""Properties of the reader: it never raises, and it agrees with Python 3's
``configparser`` wherever the two ConfigParsers follow the same rules."""

from __future__ import annotations

import configparser
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from gcheck import config, reader


@given(st.binary(max_size=2000))
def test_parse_never_raises(data):
    ini = reader.parse(data, "f.ini")
    merged = config.build(ini, reader.parse(data, "s.ini", role="shadow"))
    for section in merged.section_names():
        for option in merged.options(section):
            merged.get(section, option)


@given(st.text(max_size=500))
def test_parse_never_raises_on_text(text):
    ini = reader.parse(text.encode("utf-8", "surrogatepass"), "f.ini")
    assert ini.role == "global"


# Inside these limits Python 2.7's and Python 3's ConfigParser agree:
# values without ";" (no inline comment rule in Python 3 here) and never
# exactly '""', no "rem" lines, no indented comment-like lines, no blank
# line inside a continuation, ASCII only.
NAME_START = string.ascii_letters + string.digits + "_"
NAME_REST = NAME_START + ".-"
VALUE_CHARS = string.ascii_letters + string.digits + " _.,/%()[]#'\"-+*!"

section_names = st.one_of(
    st.just("DEFAULT"),
    st.text(NAME_REST + " ", min_size=1, max_size=8),
)
option_names = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(NAME_START),
    st.text(NAME_REST, max_size=8),
).filter(lambda name: name.lower() != "rem")
values = st.text(VALUE_CHARS, max_size=20).filter(lambda v: v.strip() != '""')
continuations = st.text(VALUE_CHARS, min_size=1, max_size=12).filter(
    lambda text: text.strip() and text.strip()[0] not in "#;"
)


@st.composite
def option_blocks(draw) -> list[str]:
    name = draw(option_names)
    delimiter = draw(st.sampled_from(["=", ":", " = ", " : ", "\t= "]))
    block = [name + delimiter + draw(values)]
    for text in draw(st.lists(continuations, max_size=2)):
        block.append(draw(st.sampled_from([" ", "\t", "    "])) + text)
    return block


@st.composite
def section_blocks(draw) -> list[str]:
    block = [f"[{draw(section_names)}]"]
    for _ in range(draw(st.integers(0, 5))):
        block.extend(draw(st.sampled_from([[], [""], ["# note"], ["; note"]])))
        block.extend(draw(option_blocks()))
    return block


@st.composite
def agreeing_files(draw) -> str:
    lines = draw(st.sampled_from([[], ["# top comment", ""]]))
    for block in draw(st.lists(section_blocks(), max_size=5)):
        lines.extend(block)
    return "\n".join(lines) + "\n"


def python3_read(text: str) -> tuple[list[str], dict[str, dict[str, str]], dict]:
    parser = configparser.RawConfigParser(
        strict=False,
        interpolation=None,
        comment_prefixes=("#", ";"),
        inline_comment_prefixes=None,
        empty_lines_in_values=False,
    )
    parser.read_string(text)
    sections = parser.sections()
    options = {s: {k: v for k, v in parser.items(s, raw=True)} for s in sections}
    return sections, options, dict(parser.defaults())


def gcheck_read(text: str) -> tuple[list[str], dict[str, dict[str, str]], dict]:
    ini = reader.parse(text.encode(), "f.ini")
    assert ini.problems == []
    sections = ini.section_names()
    options = {s: {k: a.value for k, a in ini.options(s).items()} for s in sections}
    defaults = {k: a.value for k, a in ini.defaults.items()}
    return sections, options, defaults


@settings(max_examples=150)
@given(agreeing_files())
def test_agrees_with_python3_configparser(text):
    assert gcheck_read(text) == python3_read(text)


def test_python3_disagrees_on_inline_semicolon():
    text = "[s]\na = 1 ;c\n"
    assert gcheck_read(text)[1] == {"s": {"a": "1"}}
    assert python3_read(text)[1] == {"s": {"a": "1 ;c"}}
