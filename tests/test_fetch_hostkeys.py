"""known_hosts checks: matching rules, recording new keys, and real servers."""

from __future__ import annotations

import io
import json
from base64 import b64decode
from contextlib import redirect_stdout
from importlib import resources

import jsonschema
import paramiko
import pytest
from paramiko.hostkeys import HostKeys
from test_fetch_fleet import QUICK, hosts_of

from gcheck import hostkeys
from gcheck.cli import main
from gcheck.errors import InputError
from gcheck.fetch import FetchOptions, fetch_all


@pytest.fixture(scope="module")
def keys():
    return {
        "rsa": paramiko.RSAKey.generate(1024),
        "ecdsa": paramiko.ECDSAKey.generate(),
        "other_ecdsa": paramiko.ECDSAKey.generate(),
    }


def line(names: str, key) -> str:
    return f"{names} {key.get_name()} {key.get_base64()}\n"


def known(tmp_path, *lines: str) -> hostkeys.KnownHosts:
    path = tmp_path / "known_hosts"
    path.write_text("".join(lines))
    return hostkeys.KnownHosts((str(path), str(tmp_path / "absent")))


def test_host_id_formats():
    assert hostkeys.host_id("Drone01", 22) == "drone01"
    assert hostkeys.host_id("10.0.0.1", 2222) == "[10.0.0.1]:2222"


def test_exact_and_listed_names(tmp_path, keys):
    table = known(tmp_path, line("drone01,10.0.0.1", keys["ecdsa"]))
    assert table.check("drone01", keys["ecdsa"]).status == hostkeys.KNOWN
    assert table.check("10.0.0.1", keys["ecdsa"]).status == hostkeys.KNOWN
    assert table.check("drone02", keys["ecdsa"]).status == hostkeys.UNKNOWN


def test_changed_key_of_same_type(tmp_path, keys):
    table = known(tmp_path, line("drone01", keys["ecdsa"]))
    verdict = table.check("drone01", keys["other_ecdsa"])
    assert verdict.status == hostkeys.CHANGED
    assert verdict.known_types == ("ecdsa-sha2-nistp256",)


def test_any_matching_line_is_enough(tmp_path, keys):
    table = known(
        tmp_path, line("drone01", keys["other_ecdsa"]), line("drone01", keys["ecdsa"])
    )
    assert table.check("drone01", keys["ecdsa"]).status == hostkeys.KNOWN


def test_other_type_is_not_unknown(tmp_path, keys):
    table = known(tmp_path, line("drone01", keys["rsa"]))
    verdict = table.check("drone01", keys["ecdsa"])
    assert verdict.status == hostkeys.OTHER_TYPE
    assert verdict.known_types == ("ssh-rsa",)


def test_hashed_names(tmp_path, keys):
    hashed = HostKeys.hash_host("[10.0.0.5]:2222")
    table = known(tmp_path, line(hashed, keys["ecdsa"]))
    assert table.check("[10.0.0.5]:2222", keys["ecdsa"]).status == hostkeys.KNOWN
    assert table.check("10.0.0.5", keys["ecdsa"]).status == hostkeys.UNKNOWN


def test_wildcards_and_negation(tmp_path, keys):
    table = known(tmp_path, line("drone*,!drone13", keys["ecdsa"]))
    assert table.check("drone07", keys["ecdsa"]).status == hostkeys.KNOWN
    assert table.check("drone13", keys["ecdsa"]).status == hostkeys.UNKNOWN
    assert table.check("xdrone07", keys["ecdsa"]).status == hostkeys.UNKNOWN


def test_brackets_are_literal(tmp_path, keys):
    table = known(tmp_path, line("[drone01]:2222", keys["ecdsa"]))
    assert table.check("[drone01]:2222", keys["ecdsa"]).status == hostkeys.KNOWN
    assert table.check("d:2222", keys["ecdsa"]).status == hostkeys.UNKNOWN


def test_revoked_key(tmp_path, keys):
    table = known(
        tmp_path,
        "@revoked " + line("*", keys["ecdsa"]),
        line("drone01", keys["ecdsa"]),
    )
    assert table.check("drone01", keys["ecdsa"]).status == hostkeys.REVOKED


def test_comments_and_bad_lines_skipped(tmp_path, keys):
    table = known(
        tmp_path,
        "# a comment\n",
        "\n",
        "drone01 ssh-ed25519 not-base64!!\n",
        "@cert-authority *.example " + line("x", keys["rsa"]).split(" ", 1)[1],
        line("drone01", keys["ecdsa"]),
    )
    assert table.check("drone01", keys["ecdsa"]).status == hostkeys.KNOWN
    assert table.keys_for("drone01") == [keys["ecdsa"]]


def test_known_types_come_first(tmp_path, keys):
    table = known(tmp_path, line("drone01", keys["rsa"]))
    offered = ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256"]
    assert table.preferred_algorithms("drone01", offered) == [
        "rsa-sha2-512",
        "rsa-sha2-256",
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
    ]
    assert table.preferred_algorithms("drone02", offered) == offered


@pytest.mark.parametrize("hashed", [False, True])
def test_record_then_known(tmp_path, keys, hashed):
    path = tmp_path / "new" / "known_hosts"
    hostkeys.record(str(path), "[10.0.0.9]:2222", keys["ecdsa"], hashed)
    text = path.read_text()
    assert text.startswith("|1|") is hashed
    assert "[10.0.0.9]:2222" in text or hashed
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    table = hostkeys.KnownHosts((str(path),))
    assert table.check("[10.0.0.9]:2222", keys["ecdsa"]).status == hostkeys.KNOWN


def test_unreadable_known_hosts_raises(tmp_path):
    folder = tmp_path / "known_hosts"
    folder.mkdir()
    with pytest.raises(InputError) as raised:
        hostkeys.KnownHosts((str(tmp_path / "absent"), str(folder)))
    assert raised.value.path == str(folder)
    assert raised.value.problem == "cannot read known_hosts file: Is a directory"


# -- against real servers -------------------------------------------------


def own_known_hosts(fleet, tmp_path, extra: str = ""):
    """Return an ssh_config whose first UserKnownHostsFile is a fresh file."""
    path = tmp_path / "own_known_hosts"
    ssh_config = tmp_path / "ssh_config"
    text = f"Host *\n    UserKnownHostsFile {path}\n{extra}\n"
    ssh_config.write_text(text + fleet.ssh_config.read_text())
    return ssh_config, path


def host_public_line(fleet, name: str) -> str:
    return (fleet.hosts[name].folder / "host_key.pub").read_text().strip()


@pytest.mark.parametrize("hashed", [False, True])
def test_accept_new_records_key(start_fleet, tmp_path, hashed):
    fleet = start_fleet({"drone01": "ok"})
    extra = "    HashKnownHosts yes" if hashed else ""
    ssh_config, path = own_known_hosts(fleet, tmp_path, extra)
    hosts = hosts_of(fleet, ["drone01"], ssh_config=ssh_config)

    [refused] = fetch_all(hosts, QUICK)
    assert refused.failure.code == "H201"
    assert refused.recorded_keys == ()
    assert not path.exists()

    accepting = FetchOptions(connect_timeout=1, deadline=5, accept_new_host_keys=True)
    [accepted] = fetch_all(hosts, accepting)
    assert accepted.ok
    [recorded] = path.read_text().splitlines()
    name, key_type, key = recorded.split()
    assert f"{key_type} {key}" == host_public_line(fleet, "drone01")
    if hashed:
        assert name.startswith("|1|")
    else:
        assert name == fleet.address("drone01")
    [added] = accepted.recorded_keys
    assert added.host == fleet.address("drone01")
    assert added.key_type == key_type
    assert added.fingerprint == paramiko.Ed25519Key(data=b64decode(key)).fingerprint
    assert added.fingerprint.startswith("SHA256:")
    assert added.known_hosts_file == str(path)

    [again] = fetch_all(hosts, QUICK)
    assert again.ok
    assert again.recorded_keys == ()
    assert len(path.read_text().splitlines()) == 1


def test_accept_new_never_accepts_changed_key(start_fleet):
    fleet = start_fleet({"drone01": "changed-key"})
    before = fleet.known_hosts.read_text()
    options = FetchOptions(connect_timeout=1, deadline=5, accept_new_host_keys=True)
    [result] = fetch_all(hosts_of(fleet, ["drone01"]), options)
    assert result.failure.code == "H202"
    assert fleet.known_hosts.read_text() == before


def test_key_of_other_type_only(start_fleet, tmp_path, keys):
    fleet = start_fleet({"drone01": "ok"})
    ssh_config, path = own_known_hosts(fleet, tmp_path)
    path.write_text(line(fleet.address("drone01"), keys["rsa"]))
    hosts = hosts_of(fleet, ["drone01"], ssh_config=ssh_config)
    [result] = fetch_all(hosts, QUICK)
    assert result.failure.code == "H203"
    assert "ssh-rsa" in result.failure.message
    # accept-new treats a key of a new type as new, as OpenSSH does.
    accepting = FetchOptions(connect_timeout=1, deadline=5, accept_new_host_keys=True)
    [accepted] = fetch_all(hosts, accepting)
    assert accepted.ok
    assert host_public_line(fleet, "drone01") in path.read_text()


def test_wildcard_known_hosts_entry(start_fleet, tmp_path):
    fleet = start_fleet({"drone01": "ok"})
    ssh_config, path = own_known_hosts(fleet, tmp_path)
    block = fleet.address("drone01").rsplit(".", 2)[0]
    path.write_text(f"{block}.* {host_public_line(fleet, 'drone01')}\n")
    [result] = fetch_all(hosts_of(fleet, ["drone01"], ssh_config=ssh_config), QUICK)
    assert result.ok


def test_unknown_key_with_harness_key(start_fleet):
    fleet = start_fleet({"drone01": "unknown-key"})
    assert fleet.known_hosts.read_text() == ""
    [result] = fetch_all(hosts_of(fleet, ["drone01"]), QUICK)
    assert result.failure.code == "H201"
    assert str(fleet.known_hosts) in result.failure.message


def run_check(argv: list[str]) -> tuple[int, str]:
    stream = io.StringIO()
    with redirect_stdout(stream):
        status = main(argv)
    return status, stream.getvalue()


def write_reference(tmp_path):
    reference = tmp_path / "global_config.ini"
    reference.write_text(
        "[SCHEDULER]\n"
        "drones: drone01\n"
        "drone_installation_directory: /usr/local/autotest\n"
        "results_host: drone01\n"
    )
    return reference


def test_check_reports_added_keys(start_fleet, tmp_path):
    fleet = start_fleet({"drone01": "ok", "drone02": "ok"})
    ssh_config, path = own_known_hosts(fleet, tmp_path)
    reference = write_reference(tmp_path)
    argv = [
        "check",
        "--config",
        str(reference),
        "-F",
        str(ssh_config),
        "--scheduler-user",
        fleet.login,
        "--hosts",
        "drone02",
        "--accept-new-host-keys",
    ]
    fingerprints = {}
    for name in ("drone01", "drone02"):
        public = host_public_line(fleet, name).split()[1]
        fingerprints[name] = paramiko.Ed25519Key(data=b64decode(public)).fingerprint

    _, out = run_check(argv)
    assert "Added host keys (2)" in out
    for name in ("drone01", "drone02"):
        address = fleet.address(name)
        expected = f"{name}: ssh-ed25519 {fingerprints[name]} as {address} in {path}"
        assert expected in out

    path.unlink()
    _, out = run_check([*argv, "--format", "json"])
    document = json.loads(out)
    schema = resources.files("gcheck").joinpath("data/check-report.schema.json")
    jsonschema.validate(document, json.loads(schema.read_text()))
    by_name = {host["name"]: host for host in document["hosts"]}
    for name in ("drone01", "drone02"):
        assert by_name[name]["recorded_keys"] == [
            {
                "host": fleet.address(name),
                "key_type": "ssh-ed25519",
                "fingerprint": fingerprints[name],
                "known_hosts_file": str(path),
            }
        ]

    _, out = run_check(argv)
    assert "Added host keys" not in out


def known_hosts_config(fleet, tmp_path, known_hosts: str):
    ssh_config = tmp_path / "ssh_config"
    text = f"Host *\n    UserKnownHostsFile {known_hosts}\n"
    ssh_config.write_text(text + fleet.ssh_config.read_text())
    return ssh_config


def test_known_hosts_folder_stops_run(start_fleet, tmp_path):
    fleet = start_fleet({"drone01": "ok"})
    folder = tmp_path / "known_hosts_folder"
    folder.mkdir()
    ssh_config = known_hosts_config(fleet, tmp_path, str(folder))
    hosts = hosts_of(fleet, ["drone01"], ssh_config=ssh_config)
    for accept in (False, True):
        options = FetchOptions(
            connect_timeout=1, deadline=5, accept_new_host_keys=accept
        )
        with pytest.raises(InputError) as raised:
            fetch_all(hosts, options)
        assert raised.value.path == str(folder)
        assert "Is a directory" in raised.value.problem
    status, out = run_check(
        [
            "check",
            "--config",
            str(write_reference(tmp_path)),
            "-F",
            str(ssh_config),
            "--scheduler-user",
            fleet.login,
        ]
    )
    assert status == 2
    assert out == ""


def test_failed_record_is_h204(start_fleet, tmp_path):
    fleet = start_fleet({"drone01": "ok"})
    # Reading finds no file, and /proc rejects creating the folder, even
    # for root.
    target = "/proc/gcheck-no-such-folder/known_hosts"
    ssh_config = known_hosts_config(fleet, tmp_path, target)
    hosts = hosts_of(fleet, ["drone01"], ssh_config=ssh_config)
    options = FetchOptions(connect_timeout=1, deadline=5, accept_new_host_keys=True)
    [result] = fetch_all(hosts, options)
    assert result.failure.code == "H204"
    message = result.failure.message
    assert target in message
    assert "No such file or directory" in message
    assert "Error" not in message
    assert result.recorded_keys == ()
    assert result.phases.auth is None


@pytest.mark.parametrize("accept", [False, True])
def test_revoked_server_key_is_h205(start_fleet, tmp_path, accept):
    fleet = start_fleet({"drone01": "ok"})
    ssh_config, path = own_known_hosts(fleet, tmp_path)
    path.write_text(f"@revoked * {host_public_line(fleet, 'drone01')}\n")
    before = path.read_text()
    hosts = hosts_of(fleet, ["drone01"], ssh_config=ssh_config)
    options = FetchOptions(connect_timeout=1, deadline=5, accept_new_host_keys=accept)
    [result] = fetch_all(hosts, options)
    assert result.failure.code == "H205"
    assert "@revoked" in result.failure.message
    assert "ssh-ed25519 SHA256:" in result.failure.message
    assert "changed" not in result.failure.hint
    assert path.read_text() == before
