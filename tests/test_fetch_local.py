"""Fetching ``localhost`` from disk, options, and ProxyJump through a real sshd."""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
import time

import pytest
from test_fetch_fleet import QUICK, hosts_of

from gcheck import inventory, reader
from gcheck.config import build
from gcheck.fetch import FetchOptions, Phases, fetch_all

LOCAL_ONLY = "[SCHEDULER]\ndrones: localhost\ndrone_installation_directory: /x\n"


def local_host(tmp_path, global_text: bytes | None, shadow_text: bytes | None):
    folder = tmp_path / "install"
    folder.mkdir()
    path = folder / "global_config.ini"
    if global_text is not None:
        path.write_bytes(global_text)
    if shadow_text is not None:
        (folder / "shadow_config.ini").write_bytes(shadow_text)
    config = build(reader.parse(LOCAL_ONLY.encode(), str(path)))
    empty = tmp_path / "ssh_config"
    empty.write_text("")
    [host] = inventory.build(config, ssh_config=str(empty))
    return host


def test_localhost_read_from_disk(tmp_path):
    host = local_host(tmp_path, b"[SCHEDULER]\na: 1\n", b"[X]\nb: 2\n")
    [result] = fetch_all([host], QUICK)
    assert result.ok
    assert result.method == "local"
    assert result.files == {
        "global_config.ini": b"[SCHEDULER]\na: 1\n",
        "shadow_config.ini": b"[X]\nb: 2\n",
    }
    assert result.phases.connect is None
    assert result.phases.auth is None
    assert result.phases.transfer >= 0


def test_meanwhile_runs_once_in_calling_thread(tmp_path):
    host = local_host(tmp_path, b"[SCHEDULER]\n", None)
    threads = []
    [result] = fetch_all(
        [host], QUICK, meanwhile=lambda: threads.append(threading.current_thread())
    )
    assert result.ok
    assert threads == [threading.main_thread()]


def test_slow_meanwhile_keeps_results(tmp_path):
    host = local_host(tmp_path, b"[SCHEDULER]\n", None)
    options = dataclasses.replace(QUICK, deadline=0.2)
    [result] = fetch_all([host], options, meanwhile=lambda: time.sleep(1.0))
    assert result.ok
    assert result.failure is None


def test_localhost_without_shadow(tmp_path):
    host = local_host(tmp_path, b"[SCHEDULER]\n", None)
    [result] = fetch_all([host], QUICK)
    assert result.ok
    assert result.files["shadow_config.ini"] is None


def test_localhost_missing_global(tmp_path):
    host = local_host(tmp_path, None, b"[X]\n")
    [result] = fetch_all([host], QUICK)
    assert result.failure.code == "H401"
    assert result.failure.host == "localhost"


def test_localhost_too_large(tmp_path):
    host = local_host(tmp_path, b"#" * 2000, None)
    options = FetchOptions(max_bytes=1000)
    [result] = fetch_all([host], options)
    assert result.failure.code == "H404"
    assert "1000 bytes" in result.failure.message


def test_localhost_folder_instead_of_file(tmp_path):
    host = local_host(tmp_path, None, None)
    (tmp_path / "install" / "global_config.ini").mkdir()
    [result] = fetch_all([host], QUICK)
    assert result.failure.code == "H407"


def test_unknown_install_dir_fails_before_connecting(tmp_path):
    config = build(reader.parse(b"[SCHEDULER]\ndrones: drone01\n", "g.ini"))
    ssh_config = tmp_path / "ssh_config"
    # Port 1 on loopback: a connection attempt would fail with H102.
    ssh_config.write_text("Host drone01\n    HostName 127.0.0.1\n    Port 1\n")
    [host] = inventory.build(config, only=["drone01"], ssh_config=str(ssh_config))
    [result] = fetch_all([host], QUICK)
    assert result.failure.code == "H405"
    assert result.phases == Phases()


def test_empty_host_name_not_contacted(tmp_path):
    # A trailing comma in drones gives a host named "".
    text = b"[SCHEDULER]\ndrones: drone01,\ndrone_installation_directory: /x\n"
    config = build(reader.parse(text, "g.ini"))
    empty = tmp_path / "ssh_config"
    empty.write_text("")
    [host] = inventory.build(config, only=[""], ssh_config=str(empty))
    [result] = fetch_all([host], QUICK)
    assert result.failure.code == "H108"
    assert result.failure.host == ""
    assert "is empty" in result.failure.message
    assert result.phases == Phases()


@pytest.mark.parametrize(
    ("name", "host_name", "placeholder"),
    [
        ("$(touch {marker})", None, "%h"),
        ("$(touch {marker})", None, "%n"),
        ("drone01", "$(touch {marker})", "%h"),
        ("a b;touch {marker}", None, "%n"),
    ],
)
def test_invalid_name_never_reaches_shell(tmp_path, name, host_name, placeholder):
    marker = tmp_path / "marker"
    name = name.format(marker=marker)
    text = f"[SCHEDULER]\ndrones: {name}\ndrone_installation_directory: /x\n"
    config = build(reader.parse(text.encode(), "g.ini"))
    ssh_config = tmp_path / "ssh_config"
    lines = [f"Host *\n    ProxyCommand /bin/true {placeholder} %p\n"]
    if host_name is not None:
        lines.insert(
            0, f"Host {name}\n    HostName {host_name.format(marker=marker)}\n"
        )
    ssh_config.write_text("".join(lines))
    [host] = inventory.build(config, only=[name], ssh_config=str(ssh_config))
    [result] = fetch_all([host], QUICK)
    assert result.failure.code == "H108"
    assert "not contacted" in result.failure.message
    assert result.phases == Phases()
    assert not marker.exists()


def test_empty_host_list():
    assert fetch_all([], QUICK) == []


@pytest.mark.parametrize(
    "field, value",
    [("workers", 0), ("connect_timeout", 0), ("deadline", -1), ("auth_timeout", 0)],
)
def test_invalid_options(field, value):
    with pytest.raises(ValueError) as caught:
        FetchOptions(**{field: value})
    assert field in str(caught.value)


def test_phases_total():
    assert Phases(connect=0.5, handshake=None, auth=1.0, transfer=0.25).total() == 1.75


# -- ProxyJump and ProxyCommand -----------------------------------------------


def jump_config(fleet, tmp_path, jump: str):
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text(
        "Host behind\n"
        f"    HostName {fleet.address('target')}\n"
        f"    ProxyJump {jump}\n\n" + fleet.ssh_config.read_text()
    )
    return ssh_config


def test_proxy_jump_reaches_target(start_fleet, tmp_path):
    fleet = start_fleet({"bastion": "ok", "target": "ok"})
    ssh_config = jump_config(fleet, tmp_path, "bastion")
    [host] = hosts_of(fleet, ["behind"], ssh_config=ssh_config)
    assert [j.name for j in host.jumps] == ["bastion"]
    [result] = fetch_all([host], QUICK)
    assert result.ok, result.failure
    assert result.files["global_config.ini"] == fleet.hosts["target"].global_config


def test_failed_jump_names_jump_host(start_fleet, tmp_path):
    fleet = start_fleet({"bastion": "refused", "target": "ok"})
    ssh_config = jump_config(fleet, tmp_path, "bastion")
    [result] = fetch_all(hosts_of(fleet, ["behind"], ssh_config=ssh_config), QUICK)
    assert result.failure.code == "H102"
    assert result.failure.message.startswith("jump host bastion: ")


def test_jump_to_closed_port_names_target(start_fleet, tmp_path):
    fleet = start_fleet({"bastion": "ok", "target": "refused"})
    ssh_config = jump_config(fleet, tmp_path, "bastion")
    [result] = fetch_all(hosts_of(fleet, ["behind"], ssh_config=ssh_config), QUICK)
    target = fleet.address("target")
    assert result.failure.code == "H107"
    assert result.failure.message == (
        f"jump host bastion: connection to {target}:22 failed (Connect failed)"
    )


def test_jump_host_rejects_login(start_fleet, tmp_path):
    fleet = start_fleet({"bastion": "reject-login", "target": "ok"})
    ssh_config = jump_config(fleet, tmp_path, "bastion")
    [result] = fetch_all(hosts_of(fleet, ["behind"], ssh_config=ssh_config), QUICK)
    assert result.failure.code == "H301"
    assert result.failure.message.startswith("jump host bastion: ")


def command_config(fleet, tmp_path, command: str):
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text(
        "Host behind\n"
        f"    HostName {fleet.address('target')}\n"
        f"    ProxyCommand {command}\n\n" + fleet.ssh_config.read_text()
    )
    return ssh_config


def test_proxy_command_reaches_target(start_fleet, tmp_path):
    fleet = start_fleet({"bastion": "ok", "target": "ok"})
    # OpenSSH's client as the proxy, logging in to the bastion.
    command = f"ssh -F {fleet.ssh_config} -W %h:%p bastion"
    ssh_config = command_config(fleet, tmp_path, command)
    [host] = hosts_of(fleet, ["behind"], ssh_config=ssh_config)
    assert host.proxy_command == command.replace(
        "%h:%p", f"{fleet.address('target')}:22"
    )
    [result] = fetch_all([host], QUICK)
    assert result.ok, result.failure
    assert result.files["global_config.ini"] == fleet.hosts["target"].global_config


def test_failing_proxy_command(start_fleet, tmp_path):
    fleet = start_fleet({"target": "ok"})
    ssh_config = command_config(fleet, tmp_path, "exit 3")
    [result] = fetch_all(hosts_of(fleet, ["behind"], ssh_config=ssh_config), QUICK)
    assert result.failure.code == "H104"
    assert result.failure.message.endswith("(through ProxyCommand exit 3)")


def test_tcp_socket_sends_without_delay():
    with _connected_session() as (sock, _):
        delay_off = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    assert delay_off == 1


def test_tcp_socket_acknowledges_at_once():
    with _connected_session() as (sock, peer):
        # A few round trips put a plain socket in delayed-ACK mode,
        # where TCP_QUICKACK reads 0.
        for _ in range(4):
            peer.sendall(b"ping")
            assert sock.recv(16) == b"ping"
            sock.sendall(b"pong")
            assert peer.recv(16) == b"pong"
        peer.sendall(b"last")
        assert sock.recv(16) == b"last"
        quick = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK)
        timeout = sock.gettimeout()
    assert quick == 1
    assert timeout == QUICK.connect_timeout


@contextlib.contextmanager
def _connected_session():
    from gcheck.fetch_session import Session, Shared

    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        host = dataclasses.replace(_remote_host(), hostname="127.0.0.1", port=port)
        session = Session(host, Shared(QUICK))
        try:
            sock = session._tcp(host)
            peer, _ = server.accept()
            with peer:
                yield sock, peer
        finally:
            session.close()


def _remote_host():
    text = b"[SCHEDULER]\ndrones: drone01\ndrone_installation_directory: /x\n"
    config = build(reader.parse(text, "/nonexistent/global_config.ini"))
    hosts = inventory.build(config, scheduler_user="u", ssh_config="/dev/null")
    return next(host for host in hosts if host.name == "drone01")
