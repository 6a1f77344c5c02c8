"""The embedded demo fleet: real Paramiko servers on loopback ports."""

from __future__ import annotations

import errno
import socket
import stat
import threading
import time
from pathlib import Path

import paramiko
import pytest

from gcheck.demo import hosts, keys
from gcheck.demo.fleet import Fleet
from gcheck.demo.server import LOOPBACK
from gcheck.errors import GcheckError

REMOTE_PATH = f"{hosts.INSTALL_DIR}/{hosts.CONFIG_NAME}"


@pytest.fixture(scope="module")
def fleet():
    with Fleet() as started:
        yield started


def _host(fleet: Fleet, name: str):
    return next(host for host in fleet.hosts if host.name == name)


def _connect(fleet, name, username=None, key_filename=None) -> paramiko.SSHClient:
    host = _host(fleet, name)
    client = paramiko.SSHClient()
    client.load_host_keys(str(fleet.known_hosts_path))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(
        LOOPBACK,
        port=host.port,
        username=username or host.spec.login,
        key_filename=key_filename or str(fleet.identity_path),
        allow_agent=False,
        look_for_keys=False,
        timeout=5,
        banner_timeout=5,
        auth_timeout=10,
    )
    return client


def _read(fleet: Fleet, name: str) -> bytes:
    client = _connect(fleet, name)
    try:
        with client.open_sftp() as sftp, sftp.open(REMOTE_PATH) as remote:
            return remote.read()
    finally:
        client.close()


def _refused(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex((LOOPBACK, port)) == errno.ECONNREFUSED


def test_shipped_example_matches_autotest_copy(data_dir):
    shipped = (data_dir / "global_config.ini").read_text("ascii")
    assert hosts.example_config() == shipped


def test_reference_names_demo_hosts(fleet):
    text = fleet.config_path.read_text("ascii")
    assert "drones: drone01,drone02,drone03,drone04,drone05,drone06,drone07\n" in text
    assert "results_host: results\nresults_username: offloader\n" in text
    assert "drones: localhost" not in text


def test_identical_hosts_serve_reference(fleet):
    reference = fleet.config_path.read_bytes()
    assert _read(fleet, "drone01") == reference
    assert _read(fleet, "drone02") == reference


def test_drifted_hosts_serve_their_edit(fleet):
    reference = fleet.config_path.read_bytes()
    cosmetic = _read(fleet, "drone03")
    drifted = _read(fleet, "drone04")
    secret = _read(fleet, "results")
    assert cosmetic == reference.replace(
        b"enable_master_ssh: True", b"enable_master_ssh: true"
    )
    assert drifted == reference.replace(
        b"max_processes_per_drone: 1000", b"max_processes_per_drone: 200"
    )
    assert b"password: " + hosts.DRIFTED_SECRET.encode() + b"\n" in secret
    assert secret.count(b"\n") == reference.count(b"\n")


def test_sftp_stat_and_listing(fleet):
    client = _connect(fleet, "drone01")
    try:
        sftp = client.open_sftp()
        attributes = sftp.stat(REMOTE_PATH)
        listing = sftp.listdir(hosts.INSTALL_DIR)
        folder = sftp.stat(hosts.INSTALL_DIR)
        with pytest.raises(FileNotFoundError):
            sftp.stat(f"{hosts.INSTALL_DIR}/shadow_config.ini")
        sftp.close()
    finally:
        client.close()
    assert attributes.st_size == fleet.config_path.stat().st_size
    assert stat.S_ISREG(attributes.st_mode)
    assert stat.S_ISDIR(folder.st_mode)
    assert listing == [hosts.CONFIG_NAME]


def test_sftp_rejects_every_write(fleet):
    client = _connect(fleet, "drone01")
    try:
        sftp = client.open_sftp()
        with pytest.raises(PermissionError):
            sftp.open(f"{hosts.INSTALL_DIR}/new.ini", "w")
        with pytest.raises(PermissionError):
            sftp.open(REMOTE_PATH, "a")
        with pytest.raises(PermissionError):
            sftp.remove(REMOTE_PATH)
        with pytest.raises(PermissionError):
            sftp.mkdir("/tmp")
        with pytest.raises(PermissionError):
            sftp.rename(REMOTE_PATH, "/moved.ini")
        sftp.close()
    finally:
        client.close()
    assert _read(fleet, "drone01") == fleet.config_path.read_bytes()


def test_exec_and_forwarding_rejected(fleet):
    client = _connect(fleet, "drone01")
    try:
        with pytest.raises(paramiko.SSHException):
            client.exec_command("id", timeout=5)
        with pytest.raises(paramiko.ChannelException):
            client.get_transport().open_channel(
                "direct-tcpip", ("127.0.0.1", 22), ("127.0.0.1", 0), timeout=5
            )
    finally:
        client.close()


def test_wrong_key_rejected(fleet, tmp_path):
    stranger = tmp_path / "stranger"
    keys.generate().write_private(stranger)
    with pytest.raises(paramiko.AuthenticationException):
        _connect(fleet, "drone01", key_filename=str(stranger))


def test_wrong_login_rejected(fleet):
    with pytest.raises(paramiko.AuthenticationException):
        _connect(fleet, "drone01", username="root")
    with pytest.raises(paramiko.AuthenticationException):
        _connect(fleet, "results", username=hosts.SCHEDULER_USER)


def test_host_keys_match_known_hosts(fleet):
    known = paramiko.HostKeys(str(fleet.known_hosts_path))
    for host in fleet.hosts:
        entry = known.lookup(f"[{LOOPBACK}]:{host.port}")
        assert entry is not None, host.name
        assert entry["ssh-ed25519"] == host.host_key.key


def test_changed_host_key_detected(fleet, tmp_path):
    # A known_hosts file with drone02's key under drone01's address must
    # make the client reject drone01.
    drone01 = _host(fleet, "drone01")
    drone02 = _host(fleet, "drone02")
    wrong = tmp_path / "known_hosts"
    wrong.write_text(f"[{LOOPBACK}]:{drone01.port} {drone02.host_key.public_line()}\n")
    client = paramiko.SSHClient()
    client.load_host_keys(str(wrong))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    with pytest.raises(paramiko.BadHostKeyException):
        client.connect(
            LOOPBACK,
            port=drone01.port,
            username=hosts.SCHEDULER_USER,
            key_filename=str(fleet.identity_path),
            allow_agent=False,
            look_for_keys=False,
            timeout=5,
        )
    client.close()


def test_close_early_host_sends_no_banner(fleet):
    with pytest.raises(paramiko.SSHException, match="banner"):
        _connect(fleet, "drone06")
    with socket.create_connection((LOOPBACK, _host(fleet, "drone06").port), 5) as raw:
        raw.settimeout(5)
        assert raw.recv(64) == b""


def test_no_listener_host_refuses(fleet):
    assert _refused(_host(fleet, "drone07").port)


def test_slow_host_delays_authentication(fleet):
    started = time.monotonic()
    content = _read(fleet, "drone05")
    elapsed = time.monotonic() - started
    assert content == fleet.config_path.read_bytes()
    assert elapsed >= hosts.SLOW_AUTH_SECONDS - 0.1
    assert elapsed < hosts.SLOW_AUTH_SECONDS + 2


def test_ssh_config_routes_aliases(fleet):
    config = paramiko.SSHConfig.from_path(str(fleet.ssh_config_path))
    for host in fleet.hosts:
        entry = config.lookup(host.name)
        assert entry["hostname"] == LOOPBACK
        assert entry["port"] == str(host.port)
        assert entry["user"] == host.spec.login
        assert entry["identityfile"] == [str(fleet.identity_path)]
        assert entry["userknownhostsfile"] == str(fleet.known_hosts_path)


def test_identity_file_is_private(fleet):
    mode = fleet.identity_path.stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_stop_removes_everything(tmp_path):
    before = set(threading.enumerate())
    fleet = Fleet(parent=str(tmp_path)).start()
    ports = [host.port for host in fleet.hosts]
    folder = fleet.folder
    # An open SFTP session, a client waiting in slow authentication and a
    # connection that never sends its banner must all end at stop().
    open_session = _connect(fleet, "drone01")
    open_session.open_sftp()
    silent = socket.create_connection((LOOPBACK, _host(fleet, "drone05").port))
    outcome = []
    waiting = threading.Thread(target=_try_connect, args=(fleet, "drone05", outcome))
    waiting.start()
    time.sleep(0.5)
    started = time.monotonic()
    fleet.stop()
    elapsed = time.monotonic() - started
    waiting.join(10)
    open_session.close()
    silent.close()
    # Well under the slow host's delay: stop() cut the wait short.
    assert elapsed < hosts.SLOW_AUTH_SECONDS - 0.5
    assert len(outcome) == 1
    assert isinstance(outcome[0], (paramiko.SSHException, EOFError, OSError))
    assert not folder.exists()
    assert list(tmp_path.iterdir()) == []
    assert [port for port in ports if not _refused(port)] == []
    assert set(threading.enumerate()) - before == set()


def _try_connect(fleet: Fleet, name: str, outcome: list) -> None:
    try:
        _connect(fleet, name).close()
        outcome.append(None)
    except Exception as error:  # noqa: BLE001 - the test inspects it
        outcome.append(error)


def test_stop_twice_is_harmless(tmp_path):
    fleet = Fleet(parent=str(tmp_path)).start()
    fleet.stop()
    fleet.stop()
    assert list(tmp_path.iterdir()) == []


def test_failed_start_removes_folder(tmp_path):
    broken = hosts.HostSpec(
        "drone09",
        hosts.SCHEDULER_USER,
        hosts.Behaviour.SERVE,
        "an edit that matches no line",
        edits=(("no such line", "x"),),
    )
    fleet = Fleet(specs=(*hosts.HOSTS, broken), parent=str(tmp_path))
    with pytest.raises(ValueError, match="no such line"):
        fleet.start()
    assert list(tmp_path.iterdir()) == []


def test_unwritable_parent_raises_gcheck_error(tmp_path):
    missing = Path(tmp_path) / "missing"
    with pytest.raises(GcheckError, match="failed to start"):
        Fleet(parent=str(missing)).start()
