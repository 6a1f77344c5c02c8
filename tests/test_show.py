"""``gcheck show``: the effective configuration in text and JSON."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from gcheck.cli import main
from gcheck.commands import show
from gcheck.load import load
from gcheck.schema import load as load_schema

SECRET = "hunter2"


def write(folder: Path, name: str, data: bytes) -> str:
    path = folder / name
    path.write_bytes(data)
    return str(path)


def run_json(capsys, *argv: str) -> tuple[int, dict, str]:
    code = main(["show", "--format", "json", *argv])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def options_of(document: dict, section: str) -> dict[str, dict]:
    for entry in document["sections"]:
        if entry["name"] == section:
            return {row["option"]: row for row in entry["options"]}
    raise AssertionError(f"no section {section}")


def test_json_shipped_files(capsys, data_dir):
    code, document, err = run_json(capsys, str(data_dir / "global_config.ini"))
    assert code == 0
    assert err == ""
    assert document["format_version"] == 1
    assert document["starts"] is True
    assert document["errors"] == []
    assert document["files"]["shadow"] == str(data_dir / "shadow_config.ini")
    names = [entry["name"] for entry in document["sections"]]
    assert names[0] == "AUTOTEST_WEB"
    assert "SCHEDULER" in names
    drones = options_of(document, "SCHEDULER")["drones"]
    assert drones["value"] == "localhost"
    assert drones["status"] == "set"
    assert drones["default"] == "localhost"
    assert drones["source"] == "global"
    assert drones["path"] == str(data_dir / "global_config.ini")
    assert drones["line"] == 193


def test_json_secret_masked(capsys, data_dir):
    code, document, _ = run_json(capsys, str(data_dir / "global_config.ini"))
    assert code == 0
    password = options_of(document, "AUTOTEST_WEB")["password"]
    assert password["value"] == "********"
    assert password["raw"] == "********"
    assert password["secret"] is True
    assert password["line"] == 19


def test_secret_never_printed(capsys, tmp_path):
    data = (
        f"[AUTOTEST_WEB]\npassword: {SECRET}\n"
        f"[SCHEDULER]\nsmtp_password: %(x)s{SECRET}%q\nx: 1\n"
    ).encode()
    path = write(tmp_path, "global_config.ini", data)
    for fmt in ("text", "json"):
        assert main(["show", "--format", fmt, path]) == 0
        out = capsys.readouterr().out
        assert SECRET not in out
        assert "********" in out


def test_json_statuses(capsys, tmp_path):
    data = (
        b"[DEFAULT]\nroot: /r\n"
        b"[SCHEDULER]\n"
        b"drones:\n"
        b"results_host: %(nope)s\n"
        b"tick_pause_sec: 5% of %(root)s\n"
        b"die_on_orphans: %(die_on_orphans)s\n"
        b"logs: %(root)s/logs\n"
    )
    path = write(tmp_path, "global_config.ini", data)
    code, document, _ = run_json(capsys, path)
    assert code == 0
    assert code == 0

    rows = options_of(document, "SCHEDULER")
    assert (rows["drones"]["status"], rows["drones"]["reason"]) == ("default", "blank")
    assert rows["drones"]["value"] == ""
    host = rows["results_host"]
    assert (host["status"], host["reason"], host["detail"]) == (
        "default",
        "missing-reference",
        "nope",
    )
    assert host["value"] is None
    assert host["raw"] == "%(nope)s"

    tick = rows["tick_pause_sec"]
    assert (tick["status"], tick["reason"]) == ("crash", "crash")
    assert "format" in tick["detail"]
    assert rows["die_on_orphans"]["reason"] == "depth"

    assert rows["logs"]["value"] == "/r/logs"
    assert rows["root"]["inherited"] is True
    assert rows["root"]["line"] == 2
    assert list(rows)[-1] == "root"


def test_json_shadow_source(capsys, tmp_path):
    path = write(tmp_path, "global_config.ini", b"[SCHEDULER]\ndrones: a\n")
    write(tmp_path, "shadow_config.ini", b"[DEFAULT]\nx: 1\n[SCHEDULER]\ndrones: b\n")
    code, document, _ = run_json(capsys, path)
    assert code == 0
    rows = options_of(document, "SCHEDULER")
    assert rows["drones"]["value"] == "b"
    assert rows["drones"]["source"] == "shadow"
    assert rows["drones"]["path"] == str(tmp_path / "shadow_config.ini")
    assert rows["drones"]["line"] == 4
    assert rows["x"]["inherited"] is True
    assert rows["x"]["source"] == "shadow"


def test_no_shadow_option(capsys, tmp_path):
    path = write(tmp_path, "global_config.ini", b"[SCHEDULER]\ndrones: a\n")
    write(tmp_path, "shadow_config.ini", b"[SCHEDULER]\ndrones: b\n")
    code, document, _ = run_json(capsys, "--no-shadow", path)
    assert code == 0
    assert document["files"]["shadow"] is None
    assert options_of(document, "SCHEDULER")["drones"]["value"] == "a"


def test_explicit_shadow(capsys, tmp_path):
    path = write(tmp_path, "global_config.ini", b"[SCHEDULER]\ndrones: a\n")
    other = write(tmp_path, "site.ini", b"[SCHEDULER]\ndrones: c\n")
    code, document, _ = run_json(capsys, "--shadow", other, path)
    assert code == 0
    assert options_of(document, "SCHEDULER")["drones"]["value"] == "c"


def test_required_key_noted(capsys, tmp_path):
    path = write(tmp_path, "global_config.ini", b"[AUTOTEST_WEB]\nhost:\n")
    code, document, _ = run_json(capsys, path)
    assert code == 0
    row = options_of(document, "AUTOTEST_WEB")["host"]
    assert row["status"] == "default"
    assert row["required"] is True


def test_odd_bytes_escaped(capsys, tmp_path):
    path = write(tmp_path, "global_config.ini", b"[SCHEDULER]\nx: caf\xe9\n")
    code, document, _ = run_json(capsys, path)
    assert code == 0
    assert options_of(document, "SCHEDULER")["x"]["value"] == "caf\\xe9"


def test_not_starting_exit_one(capsys, tmp_path):
    data = b"[SCHEDULER]\ndrones: a\n[AUTOTEST_WEB]\n host: db\n"
    path = write(tmp_path, "global_config.ini", data)
    code = main(["show", path])
    captured = capsys.readouterr()
    assert code == 1
    assert f"Autotest would not start with {path}:" in captured.err
    assert f"{path}:4:1: R103 indented line ' host: db'" in captured.err
    assert "drones" in captured.out


def test_not_starting_json(capsys, tmp_path):
    path = write(tmp_path, "global_config.ini", b"\xef\xbb\xbf[SCHEDULER]\n")
    code, document, err = run_json(capsys, path)
    assert code == 1
    assert document["starts"] is False
    assert document["sections"] == []
    assert [e["code"] for e in document["errors"]] == ["R102"]
    assert document["errors"][0]["line"] == 1
    assert "R102" in err


def test_shadow_merge_failure_exit_one(capsys, tmp_path):
    path = write(tmp_path, "global_config.ini", b"[SCHEDULER]\nroot: /r\n")
    write(tmp_path, "shadow_config.ini", b"[SCHEDULER]\nlogs: %(root)s\n")
    code, document, err = run_json(capsys, path)
    assert code == 1
    assert [e["code"] for e in document["errors"]] == ["R104"]
    assert "R104 shadow option logs" in err


def test_missing_file_exit_two(capsys, tmp_path):
    path = str(tmp_path / "nope.ini")
    assert main(["show", path]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[0] == f"gcheck: error: {path}: file not found"
    assert "Traceback" not in captured.err


def test_text_tables(capsys, tmp_path):
    data = b"[SCHEDULER]\ndrones: a\nx: %(nope)s\n[AUTOTEST_WEB]\nhost: db\n"
    path = write(tmp_path, "global_config.ini", data)
    write(tmp_path, "shadow_config.ini", b"[SCHEDULER]\nresults_host: r\n")
    assert main(["show", path]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    shadow = str(tmp_path / "shadow_config.ini")
    assert lines[0] == f"Effective configuration of {path} with {shadow}"
    assert lines[1].rstrip() == "[SCHEDULER]"
    assert f"{path}:2" in out
    assert f"{shadow}:2" in out
    assert "refers to undefined %(nope)s" in out
    assert "[AUTOTEST_WEB]" in out
    assert "\x1b[" not in out


def test_text_colour_only_on_terminal(monkeypatch, tmp_path):
    config = load(write(tmp_path, "g.ini", b"[SCHEDULER]\nx: %(nope)s\n"))
    sections = show.collect(config, load_schema())

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    terminal, plain = Terminal(), io.StringIO()
    show.write_text(config, sections, terminal)
    show.write_text(config, sections, plain)
    assert "\x1b[" in terminal.getvalue()
    assert "\x1b[" not in plain.getvalue()

    monkeypatch.setenv("NO_COLOR", "1")
    terminal = Terminal()
    show.write_text(config, sections, terminal)
    assert "\x1b[" not in terminal.getvalue()


def test_empty_file(capsys, tmp_path):
    path = write(tmp_path, "global_config.ini", b"")
    assert main(["show", path]) == 0
    assert "(no sections)" in capsys.readouterr().out


def test_help_documents_json(capsys):
    assert main(["show", "--help"]) == 0
    out = capsys.readouterr().out
    assert '"format_version": 1' in out
    assert "inherited" in out


def test_show_imports_no_ssh_or_rich_for_json(data_dir):
    code = (
        "import sys\n"
        "from gcheck.cli import main\n"
        f"main(['show', '--format', 'json', {str(data_dir / 'global_config.ini')!r}])\n"
        "loaded = [m for m in ('paramiko', 'fabric', 'rich') if m in sys.modules]\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "LOADED []" in result.stderr


def test_odd_bytes_escaped_once(capsys, tmp_path):
    path = write(tmp_path, "global_config.ini", b"[X]\nname: caf\xe9\x0c!\n")
    code, document, _err = run_json(capsys, "--no-shadow", path)
    assert code == 0
    assert options_of(document, "X")["name"]["value"] == "caf\\xe9\\x0c!"
    assert options_of(document, "X")["name"]["raw"] == "caf\\xe9\\x0c!"
    main(["show", "--no-shadow", path])
    assert "caf\\xe9\\x0c!" in capsys.readouterr().out
