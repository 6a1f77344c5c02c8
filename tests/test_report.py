"""Output formats of ``gcheck validate``: exact text of each format."""

from __future__ import annotations

import errno
import io
import json
import xml.etree.ElementTree as ET

import pytest

from gcheck import __version__
from gcheck.findings import Finding, Severity, catalogue
from gcheck.report import FORMATS, base, formatter, render_validation, use_color
from gcheck.report.github import annotation
from gcheck.report.text import Writer

FILES = ["conf/global_config.ini", "conf/shadow_config.ini"]
FINDINGS = [
    Finding(
        "D401",
        Severity.ERROR,
        "[SCHEDULER] tick_pause_sec is '50%' here",
        "Copy the value.",
        path="conf/global_config.ini",
        line=12,
        col=17,
        section="SCHEDULER",
        option="tick_pause_sec",
    ),
    Finding(
        "D406", Severity.WARNING, "no shadow file, a:b", path="conf/shadow_config.ini"
    ),
    Finding("D402", Severity.INFO, "written 'false',\nread False", host="drone01"),
]


def render(fmt: str, findings=FINDINGS, files=FILES) -> str:
    stream = io.StringIO()
    render_validation(findings, files, fmt, stream)
    return stream.getvalue()


def test_text_exact_lines():
    assert render("text").splitlines() == [
        (
            "conf/global_config.ini:12:17: error D401 "
            "[SCHEDULER] tick_pause_sec is '50%' here"
        ),
        "  hint: Copy the value.",
        "conf/shadow_config.ini: warning D406 no shadow file, a:b",
        "drone01: info D402 written 'false',",
        "read False",
        "2 files checked: 1 error, 1 warning, 1 info",
    ]


def test_text_no_findings_summary():
    assert render("text", findings=[], files=FILES[:1]) == (
        "1 file checked: 0 errors, 0 warnings, 0 info\n"
    )


def test_text_color_only_when_asked(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    stream = io.StringIO()
    render_validation(FINDINGS[:1], FILES, "text", stream, color=True)
    assert "\x1b[1;31merror\x1b[0m" in stream.getvalue()
    assert "\x1b[" not in render("text")


def test_no_color_wins_over_request(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(io.StringIO(), True) is False


def test_color_follows_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert use_color(Terminal()) is True
    assert use_color(io.StringIO()) is False


def test_json_document():
    document = json.loads(render("json"))
    assert document["format_version"] == 1
    assert document["tool"] == {"name": "gcheck", "version": __version__}
    assert document["command"] == "validate"
    assert document["files"] == FILES
    assert document["summary"] == {"error": 1, "warning": 1, "info": 1}
    assert document["findings"][0] == {
        "code": "D401",
        "severity": "error",
        "message": "[SCHEDULER] tick_pause_sec is '50%' here",
        "hint": "Copy the value.",
        "path": "conf/global_config.ini",
        "line": 12,
        "col": 17,
        "host": None,
        "section": "SCHEDULER",
        "option": "tick_pause_sec",
    }
    assert document["findings"][2]["host"] == "drone01"


def test_junit_one_case_per_file():
    root = ET.fromstring(render("junit"))
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [*FILES, "drone01"]
    assert root.get("tests") == "3"
    assert root.get("failures") == "2"
    failure = cases[0].find("failure")
    assert failure.get("type") == "D401"
    assert failure.get("message") == "error: [SCHEDULER] tick_pause_sec is '50%' here"
    assert failure.text.splitlines()[-1] == "hint: Copy the value."
    assert cases[1].find("failure").get("type") == "D406"
    # Info findings do not fail their test case.
    assert cases[2].find("failure") is None
    assert "D402" in cases[2].find("system-out").text


def test_junit_exact_start():
    lines = render("junit").splitlines()
    assert lines[:4] == [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<testsuites name="gcheck" tests="3" failures="2" errors="0" skipped="0">',
        (
            '  <testsuite name="gcheck validate" tests="3" failures="2" errors="0"'
            ' skipped="0">'
        ),
        '    <testcase classname="gcheck.validate" name="conf/global_config.ini">',
    ]


def test_junit_control_characters_escaped():
    bad = Finding("D401", Severity.ERROR, "bell \x07 and byte \udcff", path="f.ini")
    root = ET.fromstring(render("junit", findings=[bad], files=["f.ini"]))
    failure = root.find("testsuite/testcase/failure")
    assert failure.get("message") == "error: bell \\u0007 and byte \\xff"


def test_sarif_structure():
    log = json.loads(render("sarif"))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(catalogue())
    first = run["results"][0]
    assert first["ruleId"] == "D401"
    assert rules[first["ruleIndex"]]["id"] == "D401"
    assert first["level"] == "error"
    assert first["message"] == {"text": "[SCHEDULER] tick_pause_sec is '50%' here"}
    assert first["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "conf/global_config.ini"},
                "region": {"startLine": 12, "startColumn": 17},
            }
        }
    ]
    assert run["results"][2]["level"] == "note"
    assert run["results"][2]["locations"] == [
        {"logicalLocations": [{"name": "drone01", "kind": "resource"}]}
    ]


def test_sarif_absolute_path_is_file_uri():
    finding = Finding("D401", Severity.ERROR, "x", path="/etc/a b.ini", line=1)
    log = json.loads(render("sarif", findings=[finding], files=["/etc/a b.ini"]))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "file:///etc/a%20b.ini"


def test_github_exact_lines():
    assert render("github").splitlines() == [
        (
            "::error file=conf/global_config.ini,line=12,col=17,title=D401::"
            "[SCHEDULER] tick_pause_sec is '50%25' here%0Ahint: Copy the value."
        ),
        "::warning file=conf/shadow_config.ini,title=D406::no shadow file, a:b",
        "::notice title=D402::drone01: written 'false',%0Aread False",
        "2 files checked: 1 error, 1 warning, 1 info",
    ]


def test_github_property_escaping():
    finding = Finding("D401", Severity.ERROR, "m", path="a:b,c%d.ini", line=1)
    assert annotation(finding) == "::error file=a%3Ab%2Cc%25d.ini,line=1,title=D401::m"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_has_a_formatter(fmt):
    assert callable(formatter(fmt, io.StringIO()).validation)


def test_unknown_format_rejected():
    with pytest.raises(ValueError, match="unknown output format 'yaml'"):
        formatter("yaml", io.StringIO())


class CountingStream(io.StringIO):
    """A text stream that counts the calls to write()."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def test_dump_json_writes_once():
    stream = CountingStream()
    base.dump_json({"host": "dr\u00f6ne", "ports": [22]}, stream)
    assert stream.writes == 1
    assert stream.getvalue() == (
        '{\n  "host": "dr\\u00f6ne",\n  "ports": [\n    22\n  ]\n}\n'
    )


class ShortWrites(io.RawIOBase):
    """A raw output that takes at most ``step`` bytes a call, ``room`` in all."""

    def __init__(self, step: int, room: int) -> None:
        self.step = step
        self.room = room
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        if len(self.data) >= self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        accepted = bytes(chunk[: min(self.step, self.room - len(self.data))])
        self.data += accepted
        return len(accepted)


def unbuffered_text(raw: ShortWrites) -> io.TextIOWrapper:
    # What PYTHONUNBUFFERED=1 gives sys.stdout: no binary buffer in between.
    return io.TextIOWrapper(raw, encoding="utf-8", write_through=True)


def test_write_all_completes_short_writes():
    raw = ShortWrites(step=1000, room=10**6)
    base.write_all(unbuffered_text(raw), "x" * 5500)
    assert bytes(raw.data) == b"x" * 5500


def test_write_all_reports_full_output():
    raw = ShortWrites(step=1000, room=3000)
    with pytest.raises(OSError) as failure:
        base.dump_json({"hosts": ["drone"] * 2000}, unbuffered_text(raw))
    assert failure.value.errno == errno.ENOSPC
    assert len(raw.data) == 3000


def test_text_lines_survive_short_writes():
    raw = ShortWrites(step=7, room=10**6)
    writer = Writer(unbuffered_text(raw))
    writer.line("a" * 50, ("b" * 20, "bold"))
    assert bytes(raw.data) == b"a" * 50 + b"b" * 20 + b"\n"
