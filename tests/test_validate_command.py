"""``gcheck validate`` end to end, run in-process through the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from gcheck.cli import main


def _run(capsys, *argv: str) -> tuple[int, dict | str, str]:
    """Run gcheck; return the exit status, the output (parsed when JSON), stderr."""
    status = main(list(argv))
    captured = capsys.readouterr()
    output = captured.out
    if "--format" in argv and argv[argv.index("--format") + 1] == "json":
        output = json.loads(output)
    return status, output, captured.err


def _codes(report: dict) -> list[tuple[int | None, str, str]]:
    return [(f["line"], f["code"], f["severity"]) for f in report["findings"]]


def test_shipped_file_has_no_error(capsys, data_dir):
    path = str(data_dir / "global_config.ini")
    status, report, _ = _run(capsys, "validate", path, "--format", "json")
    assert status == 0
    assert report["summary"]["error"] == 0
    warnings = [
        (f["line"], f["code"]) for f in report["findings"] if f["severity"] == "warning"
    ]
    # The shipped database password, and parse_failed_repair_default: 0,
    # which Autotest reads as True.
    assert warnings == [(19, "V212"), (30, "V204")]


def test_shipped_file_uses_shadow_next_to_it(capsys, data_dir):
    path = str(data_dir / "global_config.ini")
    _, report, _ = _run(capsys, "validate", path, "--format", "json")
    assert report["files"] == [path, str(data_dir / "shadow_config.ini")]


@pytest.mark.parametrize(
    ("fail_on", "expected"),
    [("error", 0), ("warning", 1), ("info", 1), ("never", 0)],
)
def test_fail_on_decides_exit_status(capsys, data_dir, fail_on, expected):
    path = str(data_dir / "global_config.ini")
    status, _, _ = _run(capsys, "validate", path, "--fail-on", fail_on)
    assert status == expected


def test_text_output_lists_findings(capsys, data_dir):
    path = str(data_dir / "global_config.ini")
    status, output, _ = _run(capsys, "validate", path)
    assert status == 0
    assert f"{path}:19:11" in output
    assert "V212" in output
    assert "please_set_this_password" not in output


def test_every_history_file_is_read(capsys, data_dir):
    for path in sorted((data_dir / "history").glob("*.ini")):
        status, report, err = _run(capsys, "validate", str(path), "--format", "json")
        assert status in (0, 1), f"{path.name}: {err}"
        assert err == "", path.name
        assert report["findings"], path.name


def test_dropped_keys_are_warnings(capsys, data_dir):
    path = data_dir / "history" / "009-2008-06-06-adda91ab0.ini"
    _, report, _ = _run(capsys, "validate", str(path), "--format", "json")
    dropped = {
        (f["section"], f["option"] or "", f["code"], f["severity"])
        for f in report["findings"]
        if f["code"] in ("V101", "V102")
    }
    assert dropped == {
        ("TKO", "", "V101", "warning"),
        ("SCHEDULER", "max_running_jobs", "V102", "warning"),
        ("HOSTS", "max_simultaneous_file_copies", "V102", "warning"),
    }


# The results-server guide's [SCHEDULER] block as printed: every line is
# indented by one space, and the login carries leftover markup.
GUIDE_BLOCK = """\
[SCHEDULER]
 drones: localhost, dumpster
 results_host: dumpster
 dumpster_username: offloader**
"""


def test_pasted_guide_block(capsys, data_dir, tmp_path):
    shipped = (data_dir / "global_config.ini").read_text()
    path = tmp_path / "global_config.ini"
    text = shipped + "\n" + GUIDE_BLOCK
    path.write_text(text)
    first = len(text.splitlines()) - 2  # the first indented line
    status, report, _ = _run(capsys, "validate", str(path), "--format", "json")
    assert status == 1
    rejected = [f["line"] for f in report["findings"] if f["code"] == "R103"]
    assert rejected == [first, first + 1, first + 2]
    (login,) = [f for f in report["findings"] if f["code"] == "V208"]
    assert login["line"] == first + 2
    assert login["severity"] == "error"
    assert "'offloader**'" in login["message"]
    assert "the parser currently rejects this indented line" in login["message"]
    assert not [f for f in report["findings"] if f["code"] == "V104"]


def test_pasted_guide_block_alone(capsys, tmp_path):
    path = tmp_path / "global_config.ini"
    path.write_text(GUIDE_BLOCK)
    _, report, _ = _run(capsys, "validate", str(path), "--format", "json")
    codes = {f["code"] for f in report["findings"]}
    assert {"R103", "V208"} <= codes
    assert "V104" not in codes


def _write(folder, name: str, text: str) -> str:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text)
    return str(path)


def test_auto_shadow_findings_point_at_shadow(capsys, tmp_path):
    path = _write(tmp_path, "global_config.ini", "[SCHEDULER]\ntick_pause_sec: 5\n")
    shadow = _write(tmp_path, "shadow_config.ini", "[SCHEDULER]\ntick_pause_sec: x\n")
    _, report, _ = _run(capsys, "validate", path, "--format", "json")
    (finding,) = [f for f in report["findings"] if f["code"] == "V201"]
    assert (finding["path"], finding["line"]) == (shadow, 2)


def test_no_shadow_option(capsys, tmp_path):
    path = _write(tmp_path, "global_config.ini", "[SCHEDULER]\ntick_pause_sec: 5\n")
    _write(tmp_path, "shadow_config.ini", "[SCHEDULER]\ntick_pause_sec: x\n")
    _, report, _ = _run(capsys, "validate", path, "--no-shadow", "--format", "json")
    assert report["files"] == [path]
    assert not [f for f in report["findings"] if f["code"] == "V201"]


def test_one_shadow_for_several_files(capsys, tmp_path):
    first = _write(
        tmp_path / "a", "global_config.ini", "[SCHEDULER]\ntick_pause_sec: 5\n"
    )
    second = _write(
        tmp_path / "b", "global_config.ini", "[SCHEDULER]\ntick_pause_sec: 6\n"
    )
    shadow = _write(tmp_path, "site.ini", "[SCHEDULER]\ntick_pause_sec: x\n")
    args = ("validate", first, second, "--shadow", shadow, "--format", "json")
    _, report, _ = _run(capsys, *args)
    assert report["files"] == [first, shadow, second]
    # The shadow file's problem is reported once, not once per file.
    assert [f["path"] for f in report["findings"] if f["code"] == "V201"] == [shadow]


def test_missing_file_exits_2(capsys, tmp_path):
    status, output, err = _run(capsys, "validate", str(tmp_path / "none.ini"))
    assert status == 2
    assert output == ""
    assert err.startswith(f"gcheck: error: {tmp_path / 'none.ini'}: file not found")


def test_missing_named_shadow_exits_2(capsys, data_dir, tmp_path):
    path = str(data_dir / "global_config.ini")
    status, _, err = _run(capsys, "validate", path, "--shadow", str(tmp_path / "s.ini"))
    assert status == 2
    assert "file not found" in err


def test_invalid_schema_exits_2(capsys, data_dir, tmp_path):
    spec = tmp_path / "bad.spec"
    spec.write_text("[A]\nx = boolean()\n")
    path = str(data_dir / "global_config.ini")
    status, _, err = _run(capsys, "validate", path, "--schema", str(spec))
    assert status == 2
    assert "unknown check function 'boolean'" in err
    assert "Traceback" not in err


def test_custom_schema(capsys, tmp_path):
    spec = tmp_path / "pool.spec"
    spec.write_text(
        "[POOL]\nworkers = hosts(placeholder=worker)\n<worker>_slots = int()\n"
    )
    path = _write(
        tmp_path, "pool.ini", "[POOL]\nworkers: w1\nw1_slots: 2\nw2_slots: 1\n"
    )
    args = ("validate", path, "--schema", str(spec), "--format", "json")
    status, report, _ = _run(capsys, *args)
    assert status == 0
    assert _codes(report) == [(4, "V104", "warning")]


def test_sarif_output_is_json(capsys, data_dir):
    path = str(data_dir / "global_config.ini")
    status = main(["validate", path, "--format", "sarif"])
    document = json.loads(capsys.readouterr().out)
    assert status == 0
    assert document["version"] == "2.1.0"


def test_ssh_libraries_not_imported(data_dir):
    path = str(data_dir / "global_config.ini")
    script = (
        "import sys; from gcheck.cli import main; "
        f"status = main(['validate', {path!r}]); "
        "loaded = sorted(m for m in ('fabric', 'paramiko', 'invoke') if m in sys.modules); "
        "print(loaded, file=sys.stderr); sys.exit(status)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stderr.strip() == "[]"


@pytest.mark.skipif(shutil.which("gcheck") is None, reason="gcheck is not on PATH")
def test_console_script_exit_status(data_dir):
    path = str(data_dir / "global_config.ini")
    result = subprocess.run(
        ["gcheck", "validate", path, "--fail-on", "warning"],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 1


def test_missing_file_does_not_hide_other_files(tmp_path, capsys):
    good = tmp_path / "good" / "global_config.ini"
    good.parent.mkdir()
    good.write_text("[SCHEDULER]\nenable_scheduler: no\n")
    missing = tmp_path / "missing.ini"
    code = main(["validate", str(missing), str(good)])
    captured = capsys.readouterr()
    assert code == 2
    assert "V204" in captured.out
    assert f"{missing}: " in captured.err


def _strings(data) -> list[str]:
    if isinstance(data, dict):
        return [s for value in data.values() for s in _strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in _strings(value)]
    return [data] if isinstance(data, str) else []


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "sarif", "github"])
def test_odd_bytes_escaped_once(capsys, tmp_path, fmt):
    path = tmp_path / "global_config.ini"
    path.write_bytes(b"[SCHEDULER]\ndrones: caf\xe9\n\x9fjunk\x0c\n")
    main(["validate", "--no-shadow", "--format", fmt, str(path)])
    out = capsys.readouterr().out
    if fmt in ("json", "sarif"):
        out = "\n".join(_strings(json.loads(out)))
    assert "caf\\xe9" in out
    assert "\\x9fjunk\\x0c" in out
    assert "\\\\x" not in out
    assert "\\udc" not in out
