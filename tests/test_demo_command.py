"""``gcheck demo`` end to end: the embedded fleet, the check and the cleanup."""

from __future__ import annotations

import errno
import json
import os
import queue
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from gcheck.cli import main
from gcheck.demo.hosts import DRIFTED_SECRET

INTRO_HOST = re.compile(r"^  (\S+)\s+port (\d+)\s", re.MULTILINE)
INTRO_FOLDER = re.compile(r"files in (\S+)$", re.MULTILINE)


@pytest.fixture
def temp_parent(tmp_path, monkeypatch) -> Path:
    """Make the demo create its folder inside an empty test folder."""
    parent = tmp_path / "tmp"
    parent.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(parent))
    return parent


def _ports(text: str) -> dict[str, int]:
    return {name: int(port) for name, port in INTRO_HOST.findall(text)}


def _refused(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex(("127.0.0.1", port)) == errno.ECONNREFUSED


def _lines_with(report: str, *words: str) -> list[str]:
    return [line for line in report.splitlines() if all(w in line for w in words)]


def test_demo_reports_every_case(capsys, temp_parent):
    threads_before = set(threading.enumerate())

    code = main(["demo"])

    out, err = capsys.readouterr()
    ports = _ports(out)
    folder = INTRO_FOLDER.search(out).group(1)
    assert code == 0, err
    assert sorted(ports) == [
        "drone01",
        "drone02",
        "drone03",
        "drone04",
        "drone05",
        "drone06",
        "drone07",
        "results",
    ]
    report = out.split("Running:", 1)[1]
    assert _lines_with(report, "D402", "drone03")
    assert _lines_with(report, "D401", "drone04")
    assert _lines_with(report, "D408", "results")
    assert _lines_with(report, "drone05", "authentication took")
    assert _lines_with(report, "H104", "drone06")
    assert _lines_with(report, "H102", "drone07")
    assert "[SCHEDULER] max_processes_per_drone" in report
    assert "[AUTOTEST_WEB] password (secret, values hidden)" in report
    assert DRIFTED_SECRET not in out
    assert DRIFTED_SECRET not in err
    assert "Traceback" not in err
    assert folder.startswith(str(temp_parent))
    assert not Path(folder).exists()
    assert list(temp_parent.iterdir()) == []
    assert [name for name, port in ports.items() if not _refused(port)] == []
    assert set(threading.enumerate()) - threads_before == set()


def test_demo_json_keeps_stdout_clean(capsys, temp_parent):
    code = main(["demo", "--format", "json"])

    out, err = capsys.readouterr()
    document = json.loads(out)
    hosts = {host["name"]: host for host in document["hosts"]}
    statuses = {name: host["status"] for name, host in hosts.items()}
    assert code == 0, err
    assert statuses == {
        "drone01": "identical",
        "drone02": "identical",
        "drone03": "cosmetic",
        "drone04": "drifted",
        "drone05": "identical",
        "drone06": "unreachable",
        "drone07": "unreachable",
        "results": "drifted",
    }
    assert hosts["drone05"]["slow_auth"]["code"] == "H304"
    assert hosts["drone05"]["phases"]["auth"] >= 2.9
    assert hosts["drone06"]["failure"]["code"] == "H104"
    assert hosts["drone07"]["failure"]["code"] == "H102"
    assert hosts["results"]["login"] == "offloader"
    assert hosts["drone01"]["login"] == "autotest"
    assert "Running:" in err
    assert DRIFTED_SECRET not in out
    assert list(temp_parent.iterdir()) == []


def test_interrupt_during_start_cleans_up(capsys, temp_parent, monkeypatch):
    from gcheck.demo.fleet import Fleet

    start = Fleet.start

    def interrupted_start(fleet):
        signal.raise_signal(signal.SIGINT)
        return start(fleet)

    monkeypatch.setattr(Fleet, "start", interrupted_start)

    code = main(["demo"])

    out, err = capsys.readouterr()
    assert code == 130
    assert "gcheck: interrupted" in err
    assert "Stopped the demo fleet" in out
    assert "Running:" not in out
    assert list(temp_parent.iterdir()) == []


def test_interrupt_during_stop_finishes(capsys, temp_parent, monkeypatch):
    from gcheck.commands import demo as demo_command
    from gcheck.demo.fleet import Fleet

    stop = Fleet.stop

    def interrupted_stop(fleet):
        signal.raise_signal(signal.SIGINT)
        stop(fleet)

    monkeypatch.setattr(Fleet, "stop", interrupted_stop)
    monkeypatch.setattr(demo_command, "_run_check", lambda command: None)

    code = main(["demo"])

    out, err = capsys.readouterr()
    assert code == 130
    assert "gcheck: interrupted" in err
    assert "Running:" in out
    assert list(temp_parent.iterdir()) == []


def test_demo_help_states_exit_status(capsys):
    code = main(["demo", "--help"])

    out = capsys.readouterr().out
    assert code == 0
    assert "Exit status: 0 once the report is printed" in out
    assert "--keep" in out


def test_cli_import_leaves_paramiko_unloaded():
    probe = "import sys, gcheck.cli; print('paramiko' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


class _Demo:
    """``gcheck demo`` in a child process, its stdout read line by line."""

    def __init__(self, argv: list[str], temp: Path, prefix: list[str] = ()) -> None:
        env = dict(os.environ, TMPDIR=str(temp), NO_COLOR="1", PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [*prefix, sys.executable, "-m", "gcheck", "demo", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=temp,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def read_until(self, marker: str, extra_lines: int = 0) -> str:
        """Return stdout up to the line containing ``marker``, plus more lines."""
        remaining = None
        while remaining != 0:
            line = self.lines.get(timeout=30)
            if line is None:
                pytest.fail(f"demo ended before {marker!r}:\n{''.join(self.seen)}")
            self.seen.append(line)
            if remaining is not None:
                remaining -= 1
            elif marker in line:
                remaining = extra_lines
        return "".join(self.seen)

    def finish(self, signum: int | None = None) -> tuple[int, str, str]:
        if signum is not None:
            self.process.send_signal(signum)
        code = self.process.wait(timeout=30)
        while (line := self.lines.get(timeout=10)) is not None:
            self.seen.append(line)
        return code, "".join(self.seen), self.process.stderr.read()


def test_demo_interrupted_cleans_up(tmp_path):
    demo = _Demo([], tmp_path)
    intro = demo.read_until("Running:", extra_lines=1)
    ports = _ports(intro)

    # The slow host keeps the check busy for seconds, so SIGINT lands
    # while the fetch is running.
    code, out, err = demo.finish(signal.SIGINT)

    assert code == 130, err
    assert "gcheck: interrupted" in err
    assert "Traceback" not in err
    assert "Stopped the demo fleet" in out
    assert len(ports) == 8
    assert list(tmp_path.iterdir()) == []
    assert [name for name, port in ports.items() if not _refused(port)] == []


def test_demo_keep_serves_check_command(tmp_path, capsys):
    demo = _Demo(["--keep"], tmp_path)
    stdout_so_far = demo.read_until("copy a host's file with OpenSSH:", extra_lines=1)
    lines = stdout_so_far.splitlines()
    start = lines.index(next(line for line in lines if "keeps running" in line))
    command = shlex.split(lines[start + 1])
    sftp = shlex.split(lines[-1])
    ports = _ports(stdout_so_far)
    downloads = tmp_path.parent / "downloads"
    downloads.mkdir()

    try:
        assert command[:2] == ["gcheck", "check"]
        code = main(command[1:])
        report = capsys.readouterr().out
        copied = None
        if shutil.which("sftp"):
            copied = subprocess.run(
                sftp, cwd=downloads, check=False, capture_output=True, timeout=30
            )
    finally:
        exit_code, out, err = demo.finish(signal.SIGINT)

    assert code == 1
    assert _lines_with(report, "D401", "drone04")
    assert _lines_with(report, "H102", "drone07")
    assert DRIFTED_SECRET not in report
    if copied is not None:
        assert copied.returncode == 0, copied.stderr
        assert (
            b"max_processes_per_drone: 200\n"
            in (downloads / "drone04.ini").read_bytes()
        )
    assert exit_code == 0, err
    assert "Stopped the demo fleet" in out
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
    assert [name for name, port in ports.items() if not _refused(port)] == []


def test_demo_terminated_cleans_up(tmp_path):
    demo = _Demo([], tmp_path)
    intro = demo.read_until("Running:", extra_lines=1)
    ports = _ports(intro)

    code, out, err = demo.finish(signal.SIGTERM)

    assert code == 130, err
    assert "Stopped the demo fleet" in out
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
    assert [name for name, port in ports.items() if not _refused(port)] == []


@pytest.mark.skipif(os.geteuid() != 0, reason="runs as non-root already")
@pytest.mark.skipif(shutil.which("setpriv") is None, reason="setpriv not installed")
def test_demo_runs_without_root(tmp_path):
    # The interpreter may be installed under /root (mode 0700), so the child
    # keeps one capability, reading any file, and no other root privilege.
    tmp_path.chmod(0o777)
    nobody = [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--inh-caps=-all,+dac_read_search",
        "--ambient-caps=-all,+dac_read_search",
        "--bounding-set=-all,+dac_read_search",
        "--no-new-privs",
    ]
    probe = subprocess.run(
        [*nobody, sys.executable, "-c", "import os; print(os.geteuid())"],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert probe.stdout.strip() == "65534", probe.stderr

    demo = _Demo([], tmp_path, prefix=nobody)
    code, out, err = demo.finish()

    assert code == 0, err
    assert _lines_with(out, "D401", "drone04")
    assert _lines_with(out, "H102", "drone07")
    assert "Stopped the demo fleet" in out
    assert list(tmp_path.iterdir()) == []
