"""Every reading rule of Python 2.7's ConfigParser, as Autotest applies it.

Each case gives the bytes of ``global_config.ini`` (and of
``shadow_config.ini`` where the overlay matters) and what Autotest ends up
with, in the shape :func:`py27_oracle.summarize` returns: one tuple per
section, ``(name, (option, value), ...)``, values after interpolation, or
the error that stops Autotest.  The same table runs through gcheck and,
in one batch, through the real Python 2.7 ConfigParser.
"""

from __future__ import annotations

import pytest
from py27_oracle import describe, oracle, summarize

MISSING_HEADER = "MissingSectionHeaderError"
PARSING = "ParsingError"

# (case id, global file, shadow file or None, expected summary)
CASES = [
    # Comments and "rem" lines.
    ("hash comment", b"[s]\n# c\na = 1\n", None, (("s", ("a", "1")),)),
    ("semicolon comment", b"[s]\n; c\na = 1\n", None, (("s", ("a", "1")),)),
    ("blank lines", b"\n\n[s]\n\n  \na = 1\n\n", None, (("s", ("a", "1")),)),
    (
        "rem lines skipped",
        b"[s]\nrem a = 1\nREM: b\nRem\nremark = 2\n",
        None,
        (("s", ("rem", "b"), ("remark", "2")),),
    ),
    ("rem before header", b"rem note\n[s]\n", None, (("s",),)),
    (
        "indented rem continues",
        b"[s]\na = 1\n rem x\n",
        None,
        (("s", ("a", "1\nrem x")),),
    ),
    # Continuation lines.
    (
        "continuation",
        b"[s]\na = 1\n  two\n\tthree\n",
        None,
        (("s", ("a", "1\ntwo\nthree")),),
    ),
    (
        "continuation option-like",
        b"[s]\na = 1\n  b = 2\n",
        None,
        (("s", ("a", "1\nb = 2")),),
    ),
    (
        "continuation header-like",
        b"[s]\na = 1\n  [t]\n",
        None,
        (("s", ("a", "1\n[t]")),),
    ),
    (
        "continuation across blank and comments",
        b"[s]\na = 1\n\n# c\n; d\nrem e\n  more\n",
        None,
        (("s", ("a", "1\nmore")),),
    ),
    ("continuation of empty value", b"[s]\na =\n  x\n", None, (("s", ("a", "\nx")),)),
    (
        "continuation keeps semicolon",
        b"[s]\na = 1\n  x ; y\n",
        None,
        (("s", ("a", "1\nx ; y")),),
    ),
    (
        "continuation comment-like",
        b"[s]\na = 1\n  # x\n",
        None,
        (("s", ("a", "1\n# x")),),
    ),
    ("indented after header", b"[s]\n  a = 1\n", None, (PARSING, (2,))),
    (
        "indented after second header",
        b"[s]\na = 1\n[t]\n b = 2\n",
        None,
        (PARSING, (4,)),
    ),
    ("indented before header", b"  a = 1\n[s]\n", None, (MISSING_HEADER, (1,))),
    # Section headers.
    (
        "leading space is another section",
        b"[ SCHEDULER]\na = 1\n[SCHEDULER]\nb = 2\n",
        None,
        ((" SCHEDULER", ("a", "1")), ("SCHEDULER", ("b", "2"))),
    ),
    (
        "trailing space kept",
        b"[SCHEDULER ]\na = 1\n",
        None,
        (("SCHEDULER ", ("a", "1")),),
    ),
    ("text after header ignored", b"[s] x ; y\na = 1\n", None, (("s", ("a", "1")),)),
    ("header ends at first bracket", b"[a]b]\nx = 1\n", None, (("a", ("x", "1")),)),
    ("empty brackets rejected", b"[s]\n[]\n", None, (PARSING, (2,))),
    ("unclosed bracket rejected", b"[s]\n[t\n", None, (PARSING, (2,))),
    (
        "section names case-sensitive",
        b"[S]\na = 1\n[s]\nb = 2\n",
        None,
        (("S", ("a", "1")), ("s", ("b", "2"))),
    ),
    (
        "repeated header merges",
        b"[s]\na = 1\n[t]\nb = 2\n[s]\nc = 3\n",
        None,
        (("s", ("a", "1"), ("c", "3")), ("t", ("b", "2"))),
    ),
    (
        "repeated header replaces",
        b"[s]\na = 1\n[s]\na = 2\n",
        None,
        (("s", ("a", "2")),),
    ),
    ("empty section kept", b"[s]\n[t]\na = 1\n", None, (("s",), ("t", ("a", "1")))),
    # [DEFAULT].
    (
        "default inherited after own",
        b"[DEFAULT]\nd = 0\n[s]\na = 1\n",
        None,
        (("s", ("a", "1"), ("d", "0")),),
    ),
    (
        "section overrides default",
        b"[DEFAULT]\na = 0\n[s]\na = 1\n",
        None,
        (("s", ("a", "1")),),
    ),
    ("default alone lists nothing", b"[DEFAULT]\na = 0\n", None, ()),
    (
        "lower-case default is a section",
        b"[default]\nd = 0\n[s]\na = 1\n",
        None,
        (("default", ("d", "0")), ("s", ("a", "1"))),
    ),
    (
        "default interpolated per section",
        b"[DEFAULT]\nbin = %(root)s/bin\n[s]\nroot = /a\n[t]\nroot = /b\n",
        None,
        (
            ("s", ("root", "/a"), ("bin", "/a/bin")),
            ("t", ("root", "/b"), ("bin", "/b/bin")),
        ),
    ),
    # Missing header and byte-order mark.
    ("missing header", b"a = 1\n[s]\n", None, (MISSING_HEADER, (1,))),
    ("missing header after comments", b"# c\n\na = 1\n", None, (MISSING_HEADER, (3,))),
    ("bad line before header", b"junk\n[s]\n", None, (MISSING_HEADER, (1,))),
    ("bom before header", b"\xef\xbb\xbf[s]\na = 1\n", None, (MISSING_HEADER, (1,))),
    ("bom before comment", b"\xef\xbb\xbf# c\n[s]\n", None, (MISSING_HEADER, (1,))),
    ("empty file", b"", None, ()),
    ("comments only", b"# c\n; d\n", None, ()),
    # Option lines.
    (
        "name stripped and lowered",
        b"[s]\nDrones   : a\n",
        None,
        (("s", ("drones", "a")),),
    ),
    (
        "both delimiters",
        b"[s]\na = 1\nb: 2\nc=3\nd:4\ne :5\n",
        None,
        (("s", ("a", "1"), ("b", "2"), ("c", "3"), ("d", "4"), ("e", "5")),),
    ),
    (
        "first delimiter colon",
        b"[s]\nurl: http://x:80/\n",
        None,
        (("s", ("url", "http://x:80/")),),
    ),
    ("first delimiter equals", b"[s]\nkey = a:b=c\n", None, (("s", ("key", "a:b=c")),)),
    ("name ends at colon", b"[s]\na:b = c\n", None, (("s", ("a", "b = c")),)),
    ("space inside name", b"[s]\nmy key = 1\n", None, (("s", ("my key", "1")),)),
    ("empty value", b"[s]\na =\nb:\n", None, (("s", ("a", ""), ("b", "")),)),
    ("line starting with equals", b"[s]\n= 1\n", None, (PARSING, (2,))),
    ("line starting with colon", b"[s]\n: 1\n", None, (PARSING, (2,))),
    ("no delimiter", b"[s]\njust words\n", None, (PARSING, (2,))),
    ("non-ascii not lowered", b"[s]\n\xc3\x84B = 1\n", None, (("s", ("\xc4b", "1")),)),
    (
        "undecodable bytes kept",
        b"[s]\na = \xff\x00\n",
        None,
        (("s", ("a", "\udcff\x00")),),
    ),
    # The first ";" rule.
    ("inline comment after space", b"[s]\na = 1 ; note\n", None, (("s", ("a", "1")),)),
    ("inline comment after tab", b"[s]\na = 1\t;note\n", None, (("s", ("a", "1")),)),
    ("semicolon without space kept", b"[s]\na = 1;2\n", None, (("s", ("a", "1;2")),)),
    (
        "only first semicolon examined",
        b"[s]\na = x;y ;z\n",
        None,
        (("s", ("a", "x;y ;z")),),
    ),
    ("semicolon starts value", b"[s]\na = ;x\n", None, (("s", ("a", ";x")),)),
    ("semicolon start trailing space", b"[s]\na = ;x \n", None, (("s", ("a", "")),)),
    ("semicolon start with crlf", b"[s]\r\na = ;x\r\n", None, (("s", ("a", "")),)),
    ("crlf stripped", b"[s]\r\na = 1\r\n  two\r\n", None, (("s", ("a", "1\ntwo")),)),
    (
        "lone carriage return in line",
        b"[s]\na = 1\rb = 2\n",
        None,
        (("s", ("a", "1\rb = 2")),),
    ),
    ("hash never inline", b"[s]\na = 1 # c\n", None, (("s", ("a", "1 # c")),)),
    # The "" rule.
    ("two quotes empty", b'[s]\na = ""\n', None, (("s", ("a", "")),)),
    ("two quotes after strip", b'[s]\na =  ""  \n', None, (("s", ("a", "")),)),
    ("quoted text kept", b'[s]\na = "x"\n', None, (("s", ("a", '"x"')),)),
    ("single quotes kept", b"[s]\na = ''\n", None, (("s", ("a", "''")),)),
    # Repeated options and bad lines.
    ("later option wins", b"[s]\na = 1\na = 2\n", None, (("s", ("a", "2")),)),
    ("later wins case-insensitive", b"[s]\nA = 1\na = 2\n", None, (("s", ("a", "2")),)),
    (
        "later wins over continuation",
        b"[s]\na = 1\n  x\nb = 0\na = 2\n",
        None,
        (("s", ("a", "2"), ("b", "0")),),
    ),
    ("bad lines collected", b"[s]\nbad one\na = 1\nbad two\n", None, (PARSING, (2, 4))),
    (
        "bad line keeps continuation",
        b"[s]\na = 1\nbad\n  more\n",
        None,
        (PARSING, (3,)),
    ),
    # Interpolation and __name__.
    (
        "reference",
        b"[s]\nroot = /x\nbin = %(root)s/bin\n",
        None,
        (("s", ("root", "/x"), ("bin", "/x/bin")),),
    ),
    (
        "reference lowered",
        b"[s]\nA = 1\nb = %(A)s\n",
        None,
        (("s", ("a", "1"), ("b", "1")),),
    ),
    ("missing reference", b"[s]\nb = %(nope)s\n", None, (("s", ("b", "!missing")),)),
    ("depth exceeded", b"[s]\na = %(a)s\n", None, (("s", ("a", "!depth")),)),
    (
        "stray percent crashes",
        b"[s]\na = 50% of %(b)s\nb = x\n",
        None,
        (("s", ("a", "!crash"), ("b", "x")),),
    ),
    (
        "percent without reference",
        b"[s]\na = 100% %%\n",
        None,
        (("s", ("a", "100% %%")),),
    ),
    (
        "double percent escapes",
        b"[s]\na = %%(b)s\nb = x\n",
        None,
        (("s", ("a", "x"), ("b", "x")),),
    ),
    (
        "percent space percent",
        b"[s]\na = 5% %(b)s\nb = x\n",
        None,
        (("s", ("a", "5x"), ("b", "x")),),
    ),
    (
        "percent repr",
        b"[s]\na = %(b)r\nb = it's\n",
        None,
        (("s", ("a", '"it\'s"'), ("b", "it's")),),
    ),
    ("name reference", b"[s]\na = %(__name__)s\n", None, (("s", ("a", "s")),)),
    (
        "name overridden",
        b"[s]\n__name__ = x\na = %(__name__)s\n",
        None,
        (("s", ("a", "x")),),
    ),
    (
        "name in default",
        b"[DEFAULT]\na = %(__name__)s\n[s]\n",
        None,
        (("s", ("a", "s")),),
    ),
    # The shadow overlay.
    (
        "shadow overrides",
        b"[s]\na = 1\nb = 2\n",
        b"[s]\na = 9\n",
        (("s", ("a", "9"), ("b", "2")),),
    ),
    (
        "shadow adds section",
        b"[s]\na = 1\n",
        b"[t]\nb = 2\n",
        (("s", ("a", "1")), ("t", ("b", "2"))),
    ),
    (
        "shadow default only in named sections",
        b"[s]\na = 1\n[t]\nb = 2\n",
        b"[DEFAULT]\nd = 0\n[s]\n",
        (("s", ("a", "1"), ("d", "0")), ("t", ("b", "2"))),
    ),
    (
        "shadow default alone copies nothing",
        b"[s]\na = 1\n",
        b"[DEFAULT]\nd = 0\n",
        (("s", ("a", "1")),),
    ),
    (
        "shadow refers to global-only name",
        b"[s]\nroot = /x\n",
        b"[s]\nbin = %(root)s/bin\n",
        ("merge", "s", "bin", "missing"),
    ),
    (
        "shadow interpolated alone",
        b"[s]\nroot = /x\n",
        b"[s]\nroot = /y\nbin = %(root)s/bin\n",
        (("s", ("root", "/y"), ("bin", "/y/bin")),),
    ),
    (
        # get() keeps expanding until no "%(" is left, so "%%" does not
        # carry a reference over to the global file.
        "shadow double percent still expands",
        b"[s]\nroot = /x\n",
        b"[s]\nbin = %%(root)s/bin\n",
        ("merge", "s", "bin", "missing"),
    ),
    (
        "global default sees shadow value",
        b"[DEFAULT]\nb = %(a)s\n[s]\na = 1\n",
        b"[s]\na = 2\n",
        (("s", ("a", "2"), ("b", "2")),),
    ),
    (
        "shadow name reference",
        b"[s]\n",
        b"[t]\nn = %(__name__)s\n",
        (("s",), ("t", ("n", "t"))),
    ),
    (
        "shadow lower-case default",
        b"[s]\n",
        b"[default]\na = 1\n",
        ("merge", "default", None, "rejected"),
    ),
    (
        "shadow default section in both",
        b"[Default]\na = 1\n",
        b"[Default]\na = 2\n",
        (("Default", ("a", "2")),),
    ),
    (
        "shadow leading space section",
        b"[s]\na = 1\n",
        b"[ s]\na = 9\n",
        (("s", ("a", "1")), (" s", ("a", "9"))),
    ),
    ("shadow parse error", b"[s]\n", b"[s]\n a = 1\n", ("shadow", PARSING, (2,))),
    ("shadow empty", b"[s]\na = 1\n", b"", (("s", ("a", "1")),)),
    ("global error wins", b"a = 1\n", b"junk\n", (MISSING_HEADER, (1,))),
]

IDS = [case[0] for case in CASES]


@pytest.mark.parametrize(("name", "data", "shadow", "expected"), CASES, ids=IDS)
def test_reader_rule(name, data, shadow, expected):
    assert summarize(describe(data, shadow)) == expected


def test_rules_match_python27():
    results = oracle().run([(data, shadow) for _, data, shadow, _ in CASES])
    for (name, _, _, expected), result in zip(CASES, results, strict=True):
        assert summarize(result) == expected, name


def test_case_ids_unique():
    assert len(set(IDS)) == len(IDS)
