"""``gcheck hosts`` through ``main()``: the table and the JSON document."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

import pytest

from gcheck.cli import main

CONFIG = """\
[SCHEDULER]
drones: localhost,drone01,drone02
drone_installation_directory: /usr/local/autotest
results_host: results01
results_host_installation_directory: /srv/results
drone01_username: autotest
drone02_disabled: False
"""


@pytest.fixture
def setup(tmp_path):
    config = tmp_path / "global_config.ini"
    config.write_text(CONFIG)
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text(
        "Host drone01\n    HostName 10.0.0.1\n    Port 2222\n"
        "Host drone02\n    ProxyJump bastion\n"
    )
    return config, ssh_config


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


def test_hosts_json(setup):
    config, ssh_config = setup
    argv = ["hosts", "--config", str(config), "-F", str(ssh_config)]
    argv += ["--scheduler-user", "sched", "--hosts", "extra1", "--format", "json"]
    status, out, err = run(argv)
    assert status == 0
    assert err == ""
    document = json.loads(out)
    assert document["format_version"] == 1
    assert document["config"] == str(config)
    hosts = {h["name"]: h for h in document["hosts"]}
    assert list(hosts) == ["localhost", "drone01", "drone02", "results01", "extra1"]
    assert hosts["localhost"]["local"] is True
    assert hosts["localhost"]["config_path"] == str(config)
    assert hosts["drone01"]["login"] == "autotest"
    assert hosts["drone01"]["login_source"] == "config"
    assert (hosts["drone01"]["hostname"], hosts["drone01"]["port"]) == (
        "10.0.0.1",
        2222,
    )
    assert hosts["drone02"]["disabled"] is True
    assert hosts["drone02"]["login"] == "sched"
    assert hosts["drone02"]["jumps"][0]["name"] == "bastion"
    assert hosts["results01"]["config_path"] == "/srv/results/global_config.ini"
    assert hosts["extra1"]["roles"] == ["extra"]


def test_hosts_table(setup):
    config, ssh_config = setup
    status, out, _ = run(["hosts", "--config", str(config), "-F", str(ssh_config)])
    assert status == 0
    lines = [line.rstrip() for line in out.splitlines()]
    assert lines[0] == f"4 hosts in {config}"
    assert lines[1].split() == ["HOST", "ROLES", "LOGIN", "ADDRESS", "CONFIG", "NOTES"]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert "autotest (HOST_username)" in rows["drone01"]
    assert "10.0.0.1:2222" in rows["drone01"]
    assert rows["drone02"].endswith("disabled; via bastion")
    assert " local " in rows["localhost"]
    assert "/srv/results/global_config.ini" in rows["results01"]
    # NO_COLOR is set for every test: no escape sequences.
    assert "\x1b[" not in out


def test_hosts_missing_config_exits_2(tmp_path):
    status, out, err = run(["hosts", "--config", str(tmp_path / "missing.ini")])
    assert status == 2
    assert out == ""
    assert err.startswith("gcheck: error: ")
    assert "missing.ini" in err


def test_hosts_hosts_file(setup, tmp_path):
    config, ssh_config = setup
    hosts_file = tmp_path / "hosts.txt"
    hosts_file.write_text("extra2  # spare\n")
    argv = ["hosts", "--config", str(config), "-F", str(ssh_config)]
    status, out, _ = run([*argv, "--hosts-file", str(hosts_file), "--format", "json"])
    assert status == 0
    names = [h["name"] for h in json.loads(out)["hosts"]]
    assert names[-1] == "extra2"


def test_hosts_does_not_load_ssh_transport(setup):
    config, ssh_config = setup
    # A fresh interpreter, so that modules loaded by other tests do not count.
    script = (
        "import sys\n"
        "from gcheck.cli import main\n"
        f"status = main(['hosts', '--config', {str(config)!r}, '-F', {str(ssh_config)!r}])\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('fabric', 'gcheck.fetch')))\n"
        "print(status, loaded, file=sys.stderr)\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.stderr.strip() == "0 []"


def test_hosts_table_brackets_ipv6(tmp_path):
    config = tmp_path / "global_config.ini"
    config.write_text(CONFIG)
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text(
        "Host drone01\n    HostName ::1\n    Port 40921\n"
        "Host drone02\n    HostName fe80::1%eth0\n"
    )
    status, out, _ = run(["hosts", "--config", str(config), "-F", str(ssh_config)])
    assert status == 0
    assert "[::1]:40921" in out
    assert "[fe80::1%eth0]:22" in out
