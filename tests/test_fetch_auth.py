"""Login with keys and a real ssh-agent, never a passphrase prompt."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest
import sshfleet
from test_fetch_fleet import QUICK, hosts_of

from gcheck.fetch import fetch_all


@pytest.fixture
def agent(tmp_path, monkeypatch):
    """Start an ssh-agent; return a function that adds a key to it."""
    if shutil.which("ssh-agent") is None or shutil.which("ssh-add") is None:
        pytest.skip("ssh-agent and ssh-add (openssh-client) are not installed")
    socket_path = tmp_path / "agent.sock"
    process = subprocess.Popen(
        ["ssh-agent", "-D", "-a", str(socket_path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            if socket_path.exists():
                break
            time.sleep(0.01)
        monkeypatch.setenv("SSH_AUTH_SOCK", str(socket_path))
        askpass = tmp_path / "askpass"
        askpass.write_text(f"#!/bin/sh\necho '{sshfleet.PASSPHRASE.decode()}'\n")
        askpass.chmod(0o700)

        def add(key_path) -> None:
            environment = {
                **os.environ,
                "SSH_ASKPASS": str(askpass),
                "SSH_ASKPASS_REQUIRE": "force",
            }
            subprocess.run(
                ["ssh-add", str(key_path)],
                env=environment,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=True,
                timeout=10,
            )

        yield add
    finally:
        process.kill()
        process.wait()


def test_agent_holds_encrypted_key(start_fleet, agent):
    fleet = start_fleet({"drone01": "passphrase"})
    agent(fleet.passphrase_key)
    [result] = fetch_all(hosts_of(fleet, ["drone01"]), QUICK)
    assert result.ok, result.failure
    assert result.method == "sftp"


def test_identities_only_ignores_other_agent_keys(start_fleet, agent):
    fleet = start_fleet({"drone01": "passphrase"})
    # The agent has a key the server accepts, but ssh_config names only
    # the encrypted key and sets IdentitiesOnly, so it is not offered.
    agent(fleet.client_key)
    [result] = fetch_all(hosts_of(fleet, ["drone01"]), QUICK)
    assert result.failure.code == "H302"


def test_no_agent_no_prompt(start_fleet, monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    fleet = start_fleet({"drone01": "passphrase"})
    [result] = fetch_all(hosts_of(fleet, ["drone01"]), QUICK)
    assert result.failure.code == "H302"
    assert "needs a passphrase" in result.failure.message


def test_unusable_identity_file_is_named(start_fleet, tmp_path):
    fleet = start_fleet({"drone01": "ok"})
    broken = tmp_path / "broken_key"
    broken.write_text("not a key\n")
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text(
        f"Host drone01\n    IdentityFile {broken}\n    IdentitiesOnly yes\n"
        f"    HostName {fleet.address('drone01')}\n"
        f"    UserKnownHostsFile {fleet.known_hosts}\n"
    )
    [result] = fetch_all(hosts_of(fleet, ["drone01"], ssh_config=ssh_config), QUICK)
    assert result.failure.code == "H301"
    assert str(broken) in result.failure.message
