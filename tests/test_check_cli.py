"""``gcheck check`` through ``main()`` where no SSH is needed.

A config whose only host is ``localhost`` is checked without SSH: the
scheduler's own machine reads the local file.  Arguments and inputs that
stop gcheck give exit status 2 and one line on stderr.
"""

from __future__ import annotations

import json

import pytest

from gcheck.cli import main


@pytest.fixture
def local_config(tmp_path, data_dir):
    path = tmp_path / "global_config.ini"
    text = (data_dir / "global_config.ini").read_text()
    path.write_text(
        text.replace("drones: localhost", "drones: localhost,drone9") + "\n"
    )
    with path.open("a") as stream:
        stream.write("[SCHEDULER]\ndrone9_disabled: 1\n")
    (tmp_path / "ssh_config").write_text("")
    return path


def check_argv(path, *extra: str) -> list[str]:
    ssh_config = str(path.parent / "ssh_config")
    return ["check", "--config", str(path), "-F", ssh_config, "-q", *extra]


def test_local_only_is_ready(local_config, capsys):
    assert main(check_argv(local_config)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "  disabled, not fetched: drone9" in lines
    assert "  identical: localhost" in lines
    assert (
        lines[-1]
        == "Ready to restart: 1 host matches the local reference; 1 host disabled."
    )


def test_local_only_json(local_config, capsys):
    assert (
        main(check_argv(local_config, "--format", "json", "--baseline", "majority"))
        == 0
    )
    document = json.loads(capsys.readouterr().out)
    assert [(h["name"], h["status"]) for h in document["hosts"]] == [
        ("localhost", "identical"),
        ("drone9", "disabled"),
    ]
    assert document["drift"]["baseline"] == "majority"
    assert document["verdict"]["exit_code"] == 0


def test_all_disabled_still_validates_reference(local_config, capsys):
    text = local_config.read_text() + "localhost_disabled: 1\n"
    local_config.write_text(text)
    code = main(check_argv(local_config, "--format", "json", "--fail-on", "info"))
    document = json.loads(capsys.readouterr().out)
    assert code == 1
    assert document["summary"]["disabled"] == 2
    assert document["summary"]["findings"]["warning"] == 2


def test_fail_on_info_fails(local_config, capsys):
    # The shipped file has info findings, which reach --fail-on info.
    assert main(check_argv(local_config, "--fail-on", "info")) == 1
    assert capsys.readouterr().out.splitlines()[-1].startswith("Not ready to restart: ")


def test_save_keeps_local_copy(local_config, tmp_path, capsys):
    saved = tmp_path / "saved"
    assert main(check_argv(local_config, "--save", str(saved))) == 0
    copy = saved / "localhost" / "global_config.ini"
    assert copy.read_bytes() == local_config.read_bytes()


def test_missing_config_exits_2(tmp_path, capsys):
    missing = tmp_path / "nowhere" / "global_config.ini"
    assert main(["check", "--config", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gcheck: error: {missing}: ")


def test_bad_schema_exits_2(local_config, tmp_path, capsys):
    assert main(check_argv(local_config, "--schema", str(tmp_path / "no.spec"))) == 2
    assert "gcheck: error: " in capsys.readouterr().err


def test_missing_hosts_file_exits_2(local_config, tmp_path, capsys):
    assert main(check_argv(local_config, "--hosts-file", str(tmp_path / "none"))) == 2
    assert "cannot read the hosts file" in capsys.readouterr().err


@pytest.mark.parametrize(
    "arguments",
    [
        ["--workers", "0"],
        ["--slow-auth", "-1"],
        ["--deadline", "soon"],
        ["--baseline", "median"],
        ["--format", "yaml"],
    ],
)
def test_bad_arguments_exit_2(local_config, arguments, capsys):
    assert main(check_argv(local_config, *arguments)) == 2
    assert "error: argument" in capsys.readouterr().err
