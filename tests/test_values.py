"""Autotest's value rules in gcheck.values, checked against Python 2.7 itself."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gcheck import config, reader, values

PYTHON27 = Path("/root/.pyenv/versions/2.7.18/bin/python2.7")

# Texts whose int() and float() results Python 2.7 decides.
NUMBER_TEXTS = [
    "12", " 12 ", "+5", "-5", "- 5", "-  5", "+\t5", "--5", "+-5", "010", "0005",
    "-0", "1_000", "10L", "0x10", "0b1", "1e3", "1E5", "1e+5", "1e-", "5.0", "1.",
    ".5", "+.5", "-.", "1.e5", "e5", "+", "", "1 2", " 5 5", "\t7\x0c", "12\r",
    "\x0b3\x0b", "\xa05", "\u0663", "inf", "-Infinity", "nan", "+nan", "-iNF",
    "in f", "nan(1)", "1e500", "- 1.5", "1_0.5", "0x1p3",
    "123456789012345678901234567890",
]  # fmt: skip

_ORACLE = r"""
import json, sys
texts = json.loads(sys.stdin.read())
out = []
for text in texts:
    raw = text.encode("utf-8")
    row = []
    for convert in (int, float):
        try:
            row.append(repr(convert(raw)).rstrip("L"))
        except ValueError:
            row.append(None)
    out.append(row)
print(json.dumps(out))
"""


def _python27(texts: list[str]) -> list[list[str | None]]:
    result = subprocess.run(
        [str(PYTHON27), "-c", _ORACLE],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def _ours(convert, text: str) -> str | None:
    try:
        return repr(convert(text))
    except ValueError:
        return None


@pytest.mark.skipif(not PYTHON27.exists(), reason=f"{PYTHON27} is not installed")
def test_int_and_float_match_python27():
    expected = _python27(NUMBER_TEXTS)
    for text, (want_int, want_float) in zip(NUMBER_TEXTS, expected, strict=True):
        assert _ours(values.to_int, text) == want_int, f"int({text!r})"
        assert _ours(values.to_float, text) == want_float, f"float({text!r})"


@pytest.mark.parametrize(
    ("text", "expected"),
    [(" 12 ", 12), ("+5", 5), ("- 5", -5), ("010", 10)],
)
def test_to_int_accepts_python27_forms(text, expected):
    assert values.to_int(text) == expected


@pytest.mark.parametrize("text", ["1_000", "10L", "0x10", "1e3", "5.0", "\u0663", ""])
def test_to_int_rejects_what_python27_rejects(text):
    with pytest.raises(ValueError):
        values.to_int(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("false", False),
        (" FALSE ", False),
        ("False", False),
        ("no", True),
        ("0", True),
        ("off", True),
        ("disabled", True),
        ("true", True),
        ("\u00a0false", True),
    ],
)
def test_to_bool_only_false_is_false(text, expected):
    assert values.to_bool(text) is expected


def test_to_list_keeps_empty_items():
    assert values.to_list(" a , b,,c ,") == ["a", "b", "", "c", ""]


def test_strip_keeps_non_ascii_space():
    assert values.strip("\u00a0x \t") == "\u00a0x"


def test_is_set_for_any_non_blank_text():
    assert values.is_set("False") is True
    assert values.is_set("0") is True
    assert values.is_set("  ") is False


@pytest.mark.parametrize(
    "text",
    ["no", "N", "0", "off", "Disabled", "none", '"False"', "False.", "flase", "Fasle"],
)
def test_looks_false_for_negative_spellings(text):
    assert values.looks_false(text) is True


@pytest.mark.parametrize(
    "text", ["false", "False", "true", "yes", "1", "on", "enabled"]
)
def test_looks_false_not_for_plain_values(text):
    assert values.looks_false(text) is False


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("autotest", None),
        ("svc.runner_2", None),
        ("machine$", None),
        ("offloader**", "contains '*'"),
        ("-root", "starts with '-'"),
        ("a b", "contains a space"),
        ("ma\u00f1ana", "contains '\u00f1'"),
    ],
)
def test_login_problem(name, problem):
    assert values.login_problem(name) == problem


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("drone1", None),
        ("drone_1.example.com.", None),
        ("127.0.0.1", None),
        ("2001:db8::1", None),
        ("fe80::1%eth0", None),
        ("", "is empty"),
        ("drone 2", "contains a space"),
        ("drone\n2", "contains a newline"),
        ("x**", "contains '*'"),
        ("root@drone1", "contains '@'"),
    ],
)
def test_host_problem(name, problem):
    assert values.host_problem(name) == problem


@pytest.mark.parametrize("name", ["a..b", "-a", "a-", "x" * 64])
def test_host_problem_for_bad_labels(name):
    assert values.host_problem(name).startswith("is not a valid DNS name")


@pytest.mark.parametrize(
    ("text", "folded"),
    [("No protection", "NO_PROTECTION"), (" do_not_verify ", "DO_NOT_VERIFY")],
)
def test_fold_enum_name(text, folded):
    assert values.fold_enum_name(text) == folded


def _config(text: str) -> config.Config:
    return config.build(reader.parse(text.encode(), "test.ini"))


def test_known_hosts_lists_drones_then_results_host():
    cfg = _config("[SCHEDULER]\ndrones: a, b, a\nresults_host: c\n")
    assert values.known_hosts(cfg) == ["a", "b", "c"]


def test_known_hosts_defaults_to_localhost():
    assert values.known_hosts(_config("[SCHEDULER]\n")) == ["localhost"]


def test_split_per_host_key_prefers_longest_host():
    hosts = ["drone", "drone_a"]
    assert values.split_per_host_key("drone_a_username", hosts) == (
        "drone_a",
        "username",
    )
    assert values.split_per_host_key("drone_users", hosts) == ("drone", "users")
    assert values.split_per_host_key("other_users", hosts) is None
