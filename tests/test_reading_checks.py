"""Reading findings: what ConfigParser rejects or reads differently from how
the file looks, and how the shadow merge fails."""

from __future__ import annotations

import pytest

from gcheck import config as gconfig
from gcheck import reader
from gcheck import schema as gschema
from gcheck.checks import Subject, reading
from gcheck.codes import reading as codes
from gcheck.findings import Severity, catalogue
from gcheck.validate import validate

SECRET = "hunter2"


def check(data: bytes, shadow: bytes | None = None, read_error: str = ""):
    global_file = reader.parse(data, "global_config.ini")
    shadow_file = None
    if shadow is not None:
        shadow_file = reader.parse(shadow, "shadow_config.ini", role="shadow")
        shadow_file.read_error = read_error
    config = gconfig.build(global_file, shadow_file)
    subject = Subject(config, gschema.load(), ())
    found = [finding for run in reading.CHECKS for finding in run(subject)]
    return sorted(found, key=lambda f: f.sort_key())


def only(findings, code):
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, findings
    return matching[0]


def test_reading_codes_documented():
    for info in codes.CODES:
        assert info.code.startswith("R")
        assert len(info.code) == 4
        assert info.title
        assert info.explanation
        assert info.example
        assert info.hint
        assert catalogue()[info.code] is info


def test_clean_file_no_findings(data_dir):
    data = (data_dir / "global_config.ini").read_bytes()
    shadow = (data_dir / "shadow_config.ini").read_bytes()
    assert check(data, shadow) == []


def test_missing_header():
    finding = only(check(b"# c\ndrones: a\n[SCHEDULER]\n"), codes.MISSING_HEADER)
    assert finding.severity is Severity.ERROR
    assert (finding.path, finding.line, finding.col) == ("global_config.ini", 2, 1)
    assert "'drones: a'" in finding.message
    assert "MissingSectionHeaderError" in finding.message


def test_missing_header_secret_hidden():
    finding = only(check(f"password: {SECRET}\n".encode()), codes.MISSING_HEADER)
    assert SECRET not in finding.message
    assert "'password:' (secret value not shown)" in finding.message


def test_byte_order_mark():
    findings = check(b"\xef\xbb\xbf[SCHEDULER]\ndrones: a\n")
    finding = only(findings, codes.BYTE_ORDER_MARK)
    assert finding.severity is Severity.ERROR
    assert (finding.line, finding.col) == (1, 1)
    assert "without a byte-order mark" in finding.hint
    assert [f.code for f in findings] == [codes.BYTE_ORDER_MARK]


def test_bad_line_each_reported():
    findings = check(b"[SCHEDULER]\ndrones: a\njunk\nresults_host: b\nmore junk\n")
    bad = [f for f in findings if f.code == codes.BAD_LINE]
    assert [(f.line, f.col) for f in bad] == [(3, 1), (5, 1)]
    assert "'junk'" in bad[0].message
    assert "ParsingError" in bad[0].message
    assert bad[0].section == "SCHEDULER"
    assert "indentation" not in bad[0].hint


def test_pasted_indented_block():
    # The results-server guide's [SCHEDULER] block, every line indented.
    data = (
        b"[SCHEDULER]\n"
        b" drones: drone1\n"
        b" results_host: results1\n"
        b" dumpster_username: offloader**\n"
    )
    bad = [f for f in check(data) if f.code == codes.BAD_LINE]
    assert [f.line for f in bad] == [2, 3, 4]
    assert all(f.severity is Severity.ERROR for f in bad)
    assert "indented line ' drones: drone1'" in bad[0].message
    assert "no option line above it in [SCHEDULER]" in bad[0].message
    assert bad[0].hint.startswith("remove the indentation")


def test_bad_line_secret_hidden():
    data = f"[AUTOTEST_WEB]\n  password = {SECRET}\n".encode()
    finding = only(check(data), codes.BAD_LINE)
    assert SECRET not in finding.message
    assert "'  password =' (secret value not shown)" in finding.message


def test_bad_line_odd_bytes_printable():
    finding = only(check(b"[SCHEDULER]\n\xff\x01junk\n"), codes.BAD_LINE)
    assert "'\\xff\\x01junk'" in finding.message


def test_bad_line_in_shadow():
    finding = only(check(b"[SCHEDULER]\n", b"[SCHEDULER]\njunk\n"), codes.BAD_LINE)
    assert finding.path == "shadow_config.ini"
    assert finding.line == 2


def test_duplicate_option():
    data = (
        b"[SCHEDULER]\nmax_processes_per_drone: 50\nx: 1\nMax_Processes_Per_Drone: 20\n"
    )
    finding = only(check(data), codes.DUPLICATE_OPTION)
    assert finding.severity is Severity.WARNING
    assert (finding.line, finding.col) == (2, 1)
    assert finding.option == "max_processes_per_drone"
    assert "set again at line 4" in finding.message
    assert "keeps the last value, '20' (line 4)" in finding.message


def test_duplicate_option_three_times():
    data = b"[SCHEDULER]\na: 1\na: 2\n[SCHEDULER]\na: 3\n"
    findings = [f for f in check(data) if f.code == codes.DUPLICATE_OPTION]
    assert [f.line for f in findings] == [2, 3]
    assert "set again at lines 3, 5" in findings[0].message
    assert "set again at line 5" in findings[1].message
    assert "'3' (line 5)" in findings[1].message


def test_duplicate_option_secret_hidden():
    data = f"[AUTOTEST_WEB]\npassword: {SECRET}\npassword: {SECRET}x\n".encode()
    finding = only(check(data), codes.DUPLICATE_OPTION)
    assert SECRET not in finding.message
    assert "(secret value not shown) (line 3)" in finding.message


def test_shadow_override_not_duplicate():
    findings = check(b"[SCHEDULER]\na: 1\n", b"[SCHEDULER]\na: 2\n")
    assert findings == []


def test_duplicate_section():
    data = b"[SCHEDULER]\na: 1\n[AUTOTEST_WEB]\n[SCHEDULER]\nb: 2\n"
    finding = only(check(data), codes.DUPLICATE_SECTION)
    assert finding.severity is Severity.INFO
    assert (finding.line, finding.col) == (4, 1)
    assert "first at line 1" in finding.message
    assert "merges both blocks" in finding.message


def test_spaced_section():
    findings = check(b"[ SCHEDULER]\ndrones: a\n[SCHEDULER ]\n[ X ]\n")
    spaced = [f for f in findings if f.code == codes.SPACED_SECTION]
    assert [f.line for f in spaced] == [1, 3, 4]
    assert spaced[0].severity is Severity.WARNING
    assert "[ SCHEDULER] has leading spaces" in spaced[0].message
    assert "other than [SCHEDULER]" in spaced[0].message
    assert "trailing spaces" in spaced[1].message
    assert "leading and trailing spaces" in spaced[2].message


def test_option_like_continuation():
    data = b"[SCHEDULER]\nresults_host: r1\n\n  drones: d1,d2\n  [AUTOTEST_WEB]\n"
    findings = [f for f in check(data) if f.code == codes.OPTION_LIKE_CONTINUATION]
    assert [(f.line, f.col) for f in findings] == [(4, 1), (5, 1)]
    assert findings[0].severity is Severity.WARNING
    assert findings[0].option == "results_host"
    assert "'drones: d1,d2' looks like an option" in findings[0].message
    assert "does not set drones" in findings[0].message
    assert "value of results_host (line 2)" in findings[0].message
    assert "looks like a [section] line" in findings[1].message


def test_plain_continuation_not_reported():
    data = b"[SCHEDULER]\ndrones: a,\n  b,\n  http://x/y\n  c\n"
    assert check(data) == []


def test_continuation_of_secret_hidden():
    data = f"[AUTOTEST_WEB]\npassword: x\n  user: {SECRET}\n".encode()
    finding = only(check(data), codes.OPTION_LIKE_CONTINUATION)
    assert SECRET not in finding.message
    assert finding.message.startswith("an indented line looks like an option")


def test_continuation_looking_like_secret_hidden():
    data = f"[AUTOTEST_WEB]\nhost: db\n  password: {SECRET}\n".encode()
    finding = only(check(data), codes.OPTION_LIKE_CONTINUATION)
    assert SECRET not in finding.message
    assert "'password:' (secret value not shown)" in finding.message


def test_shadow_refers_to_global_name():
    data = b"[SCHEDULER]\nroot: /usr/local/autotest\n"
    shadow = b"[SCHEDULER]\n\nlogs: %(root)s/logs\n"
    finding = only(check(data, shadow), codes.SHADOW_MERGE)
    assert finding.severity is Severity.ERROR
    assert (finding.path, finding.line, finding.col) == ("shadow_config.ini", 3, 7)
    assert "shadow option logs in [SCHEDULER] refers to %(root)s" in finding.message
    assert "root is set only in global_config.ini" in finding.message
    assert "stops at start-up" in finding.message
    assert finding.hint.startswith("set root in shadow_config.ini too")


def test_shadow_default_failure_once():
    shadow = b"[DEFAULT]\nd: %(x)s\n[A]\n[B]\nx: 1\n[C]\n"
    finding = only(check(b"[A]\n", shadow), codes.SHADOW_MERGE)
    assert finding.line == 2
    assert "[DEFAULT] option d, copied into [A], [C]," in finding.message
    assert "is set only" not in finding.message


def test_shadow_depth_and_crash():
    shadow = b"[SCHEDULER]\na: %(a)s\nb: 5% of %(c)s\nc: x\n"
    findings = [f for f in check(b"", shadow) if f.code == codes.SHADOW_MERGE]
    assert [f.line for f in findings] == [2, 3]
    assert "more than ten levels deep" in findings[0].message
    assert "'%' that Python's formatting rejects (" in findings[1].message


def test_shadow_crash_detail_hidden_for_secret():
    shadow = b"[AUTOTEST_WEB]\npassword: %(user)s%q\nuser: u\n"
    finding = only(check(b"", shadow), codes.SHADOW_MERGE)
    assert "rejects:" in finding.message
    assert "'q'" not in finding.message


def test_shadow_rejected_section():
    finding = only(
        check(b"[SCHEDULER]\n", b"[SCHEDULER]\n[Default]\na: 1\n"), codes.SHADOW_SECTION
    )
    assert finding.severity is Severity.ERROR
    assert (finding.path, finding.line, finding.col) == ("shadow_config.ini", 2, 1)
    assert "[Default] cannot be merged" in finding.message


def test_unreadable_shadow():
    findings = check(b"[SCHEDULER]\n", b"", read_error="permission denied")
    finding = only(findings, codes.SHADOW_UNREADABLE)
    assert finding.severity is Severity.WARNING
    assert (finding.path, finding.line, finding.col) == ("shadow_config.ini", 1, 1)
    assert "(permission denied)" in finding.message


@pytest.mark.parametrize(
    "data",
    [b"\xef\xbb\xbf[s]\n", b"[s]\n x\n", b"x\n", b"[ s]\n[s]\na=1\na=2\n"],
)
def test_every_finding_located(data):
    for finding in check(data, b"[s]\nb: %(q)s\n[default]\n"):
        assert finding.path is not None
        assert finding.line is not None
        assert finding.col is not None


def test_validate_runs_reading_checks():
    config = gconfig.build(reader.parse(b"[SCHEDULER]\n drones: a\n", "g.ini"))
    findings = validate(config, gschema.load())
    assert codes.BAD_LINE in [f.code for f in findings]


def test_unreadable_shadow_from_loader(tmp_path):
    from gcheck.load import load

    path = tmp_path / "global_config.ini"
    path.write_bytes(b"[SCHEDULER]\ndrones: a\n")
    (tmp_path / "shadow_config.ini").mkdir()
    findings = validate(load(str(path)), gschema.load())
    finding = only(findings, codes.SHADOW_UNREADABLE)
    assert finding.path == str(tmp_path / "shadow_config.ini")
    assert "(is a directory, not a file)" in finding.message
