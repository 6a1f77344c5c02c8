"""``gcheck explain`` and the generated findings reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcheck import config, reader, schema
from gcheck.cli import main
from gcheck.commands.explain import reference_rst
from gcheck.findings import Severity, catalogue
from gcheck.validate import validate

FINDINGS_RST = Path(__file__).resolve().parent.parent / "docs" / "findings.rst"


def test_explain_prints_long_form(capsys):
    status = main(["explain", "V208"])
    output = capsys.readouterr().out
    assert status == 0
    assert output.startswith("V208: Login name no system accepts\nSeverity: error\n\n")
    assert "Example:\n    [SCHEDULER]\n    drones: dumpster\n" in output
    assert "\nFix: Write the user name alone" in output


def test_explain_accepts_lower_case(capsys):
    assert main(["explain", "v201"]) == 0
    assert capsys.readouterr().out.startswith("V201: Value is not a number\n")


def test_explain_unknown_code_exits_2(capsys):
    status = main(["explain", "V999"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert captured.err.startswith("gcheck: error: unknown finding code 'V999'\n")
    assert "gcheck explain --list" in captured.err


def test_explain_suggests_close_code(capsys):
    assert main(["explain", "V21"]) == 2
    assert "did you mean" in capsys.readouterr().err


def test_explain_without_code_exits_2(capsys):
    assert main(["explain"]) == 2
    assert "explain needs a CODE" in capsys.readouterr().err


def test_explain_list_has_every_code(capsys):
    assert main(["explain", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    listed = [line.split()[0] for line in lines]
    assert sorted(listed) == sorted(catalogue())
    assert "V101  warning  Unknown section" in lines


def test_codes_have_titles():
    for info in catalogue().values():
        assert len(info.code) == 4, info.code
        assert info.code[0] in "RVHD", info.code
        assert info.title, info.code
        assert info.explanation, info.code


def test_validation_codes_have_examples():
    for info in catalogue().values():
        if info.code.startswith("V"):
            assert info.example, info.code
            assert info.hint, info.code


def test_findings_reference_matches_catalogue():
    assert FINDINGS_RST.read_text() == reference_rst(), (
        "docs/findings.rst is out of date: run gcheck explain --rst > docs/findings.rst"
    )


def test_findings_reference_lists_every_code():
    text = reference_rst()
    for code in catalogue():
        assert f"\n{code}: " in text, code


def test_rst_is_valid():
    docutils = pytest.importorskip("docutils.core")
    import io

    warnings = io.StringIO()
    docutils.publish_doctree(
        reference_rst(),
        settings_overrides={"warning_stream": warnings, "report_level": 1},
    )
    assert warnings.getvalue() == ""


@pytest.mark.parametrize(
    "code", sorted(code for code in catalogue() if code.startswith("V"))
)
def test_example_triggers_its_code(code):
    info = catalogue()[code]
    cfg = config.build(reader.parse(info.example.encode(), "example.ini"))
    found = [f for f in validate(cfg, schema.load()) if f.code == code]
    assert found, f"the example of {code} does not produce {code}"
    # These codes vary their severity with the value, so their example may
    # show a severity other than the catalogue's.
    if code not in ("V103", "V205", "V206", "V211"):
        assert found[0].severity is info.severity
    assert all(f.severity in Severity for f in found)
