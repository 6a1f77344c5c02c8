"""The host inventory: roles, logins, paths and ssh_config, without any network."""

from __future__ import annotations

import pytest

from gcheck import inventory, reader
from gcheck.config import build
from gcheck.errors import GcheckError, InputError
from gcheck.sshconfig import SshConfig

BASE = """\
[SCHEDULER]
drones: localhost,drone01,drone_02
drone_installation_directory: /usr/local/autotest
results_host: results01
"""


def make_config(text: str, path: str = "/srv/ref/global_config.ini"):
    return build(reader.parse(text.encode(), path))


def by_name(hosts):
    return {host.name: host for host in hosts}


@pytest.fixture
def no_ssh_config(tmp_path):
    path = tmp_path / "empty_ssh_config"
    path.write_text("")
    return str(path)


def test_roles_follow_drones_and_results_host(no_ssh_config):
    hosts = inventory.build(make_config(BASE), ssh_config=no_ssh_config)
    assert [h.name for h in hosts] == ["localhost", "drone01", "drone_02", "results01"]
    assert [h.roles for h in hosts] == [
        ("drone",),
        ("drone",),
        ("drone",),
        ("results",),
    ]


def test_host_in_both_roles_uses_drone_directory(no_ssh_config):
    text = BASE.replace("results_host: results01", "results_host: drone01")
    text += "results_host_installation_directory: /srv/results\n"
    host = by_name(inventory.build(make_config(text), ssh_config=no_ssh_config))[
        "drone01"
    ]
    assert host.roles == ("drone", "results")
    assert host.install_dir == "/usr/local/autotest"
    assert host.config_path == "/usr/local/autotest/global_config.ini"


def test_results_host_directory(no_ssh_config):
    text = BASE + "results_host_installation_directory: /srv/results\n"
    host = by_name(inventory.build(make_config(text), ssh_config=no_ssh_config))[
        "results01"
    ]
    assert host.config_path == "/srv/results/global_config.ini"
    assert host.shadow_path == "/srv/results/shadow_config.ini"


def test_blank_results_directory_falls_back(no_ssh_config):
    text = BASE + "results_host_installation_directory:\n"
    host = by_name(inventory.build(make_config(text), ssh_config=no_ssh_config))[
        "results01"
    ]
    assert host.install_dir == "/usr/local/autotest"


def test_missing_install_directory_leaves_paths_unknown(no_ssh_config):
    text = "[SCHEDULER]\ndrones: drone01\n"
    host = by_name(inventory.build(make_config(text), ssh_config=no_ssh_config))[
        "drone01"
    ]
    assert host.install_dir is None
    assert host.config_path is None
    assert host.shadow_path is None


def test_login_order(no_ssh_config, monkeypatch):
    monkeypatch.setenv("LOGNAME", "operator")
    text = BASE + "DRONE01_username: autotest\ndrone_02_username:\n"
    config = make_config(text)
    with_user = by_name(
        inventory.build(config, scheduler_user="sched", ssh_config=no_ssh_config)
    )
    assert (with_user["drone01"].login, with_user["drone01"].login_source) == (
        "autotest",
        "config",
    )
    # A blank value gives get_value's default.
    assert (with_user["drone_02"].login, with_user["drone_02"].login_source) == (
        "sched",
        "scheduler-user",
    )
    without = by_name(inventory.build(config, ssh_config=no_ssh_config))
    assert (without["drone_02"].login, without["drone_02"].login_source) == (
        "operator",
        "current-user",
    )


def test_ssh_config_user_never_overrides_login(tmp_path):
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text("Host *\n    User someone-else\n")
    hosts = inventory.build(
        make_config(BASE), scheduler_user="sched", ssh_config=str(ssh_config)
    )
    assert {h.login for h in hosts} == {"sched"}


def test_any_disabled_value_disables(no_ssh_config):
    text = BASE + "drone01_disabled: False\ndrone_02_disabled:\n"
    hosts = by_name(inventory.build(make_config(text), ssh_config=no_ssh_config))
    assert hosts["drone01"].disabled is True
    assert hosts["drone_02"].disabled is False
    assert hosts["results01"].disabled is False


def test_only_exact_localhost_is_local(no_ssh_config):
    text = BASE.replace("drones: localhost,", "drones: localhost,LOCALHOST,")
    hosts = by_name(inventory.build(make_config(text), ssh_config=no_ssh_config))
    assert hosts["localhost"].local is True
    assert hosts["LOCALHOST"].local is False
    assert hosts["LOCALHOST"].config_path == "/usr/local/autotest/global_config.ini"


def test_localhost_reads_the_reference_files(no_ssh_config):
    hosts = by_name(inventory.build(make_config(BASE), ssh_config=no_ssh_config))
    local = hosts["localhost"]
    assert local.config_path == "/srv/ref/global_config.ini"
    assert local.shadow_path == "/srv/ref/shadow_config.ini"
    assert local.jumps == ()
    assert local.known_hosts_files == ()


def test_trailing_comma_gives_empty_host(no_ssh_config):
    text = BASE.replace("drone_02", "drone_02,")
    names = [
        h.name for h in inventory.build(make_config(text), ssh_config=no_ssh_config)
    ]
    assert names == ["localhost", "drone01", "drone_02", "", "results01"]


def test_added_hosts_and_only(no_ssh_config):
    config = make_config(BASE)
    hosts = inventory.build(config, add=["extra1", "drone01"], ssh_config=no_ssh_config)
    extra = by_name(hosts)["extra1"]
    assert extra.roles == ("extra",)
    assert extra.config_path == "/usr/local/autotest/global_config.ini"
    assert by_name(hosts)["drone01"].roles == ("drone",)
    only = inventory.build(
        config, add=["extra1"], only=["extra1", "drone01"], ssh_config=no_ssh_config
    )
    assert [h.name for h in only] == ["drone01", "extra1"]


def test_only_rejects_unknown_host(no_ssh_config):
    with pytest.raises(GcheckError) as caught:
        inventory.build(make_config(BASE), only=["drone99"], ssh_config=no_ssh_config)
    assert "drone99" in caught.value.message


def test_ssh_config_settings(tmp_path, isolated_home):
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text(
        "Host drone01\n"
        "    HostName 10.0.0.1\n"
        "    Port 2222\n"
        "    IdentityFile ~/.ssh/scheduler\n"
        "    IdentitiesOnly yes\n"
        "    UserKnownHostsFile /etc/gcheck/known_hosts ~/.ssh/other\n"
        "    HashKnownHosts yes\n"
    )
    host = by_name(inventory.build(make_config(BASE), ssh_config=str(ssh_config)))[
        "drone01"
    ]
    assert (host.hostname, host.port) == ("10.0.0.1", 2222)
    assert host.identity_files == (f"{isolated_home}/.ssh/scheduler",)
    assert host.identities_only is True
    assert host.hash_known_hosts is True
    assert host.known_hosts_files[:2] == (
        "/etc/gcheck/known_hosts",
        f"{isolated_home}/.ssh/other",
    )
    assert host.known_hosts_files[2:] == (
        "/etc/ssh/ssh_known_hosts",
        "/etc/ssh/ssh_known_hosts2",
    )


def test_default_known_hosts_files(no_ssh_config, isolated_home):
    host = by_name(inventory.build(make_config(BASE), ssh_config=no_ssh_config))[
        "drone01"
    ]
    assert host.known_hosts_files[0] == f"{isolated_home}/.ssh/known_hosts"
    assert host.hash_known_hosts is False


def test_proxy_jump_hops_resolve(tmp_path):
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text(
        "Host drone01\n"
        "    ProxyJump admin@bastion:2200,inner\n"
        "Host inner\n"
        "    HostName 10.9.9.9\n"
        "    User jumper\n"
    )
    hosts = by_name(
        inventory.build(
            make_config(BASE), scheduler_user="s", ssh_config=str(ssh_config)
        )
    )
    jumps = hosts["drone01"].jumps
    assert [(j.name, j.hostname, j.port, j.login, j.login_source) for j in jumps] == [
        ("bastion", "bastion", 2200, "admin", "proxyjump"),
        ("inner", "10.9.9.9", 22, "jumper", "ssh_config"),
    ]
    assert [j.roles for j in jumps] == [("jump",), ("jump",)]
    assert hosts["drone01"].proxy_jump == "admin@bastion:2200,inner"


def test_proxy_jump_none_stops_later_jump(tmp_path):
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text(
        "Host drone01\n    ProxyJump none\nHost *\n    ProxyJump bastion\n"
    )
    hosts = by_name(inventory.build(make_config(BASE), ssh_config=str(ssh_config)))
    assert hosts["drone01"].proxy_jump is None
    assert hosts["drone01"].jumps == ()
    assert [j.name for j in hosts["drone_02"].jumps] == ["bastion"]


def test_include_relative_to_ssh_folder(tmp_path, isolated_home):
    ssh_dir = isolated_home / ".ssh"
    (ssh_dir / "conf.d").mkdir(parents=True)
    (ssh_dir / "conf.d" / "fleet.conf").write_text(
        "Host drone01\n    HostName 10.0.0.7\n"
    )
    main = tmp_path / "ssh_config"
    main.write_text("Include conf.d/*.conf\nHost drone_02\n    Port 2022\n")
    hosts = by_name(inventory.build(make_config(BASE), ssh_config=str(main)))
    assert hosts["drone01"].hostname == "10.0.0.7"
    assert hosts["drone_02"].port == 2022


def test_include_inside_host_block_keeps_block(tmp_path):
    included = tmp_path / "inner.conf"
    included.write_text("    Port 2201\nHost other\n    Port 9999\n")
    main = tmp_path / "ssh_config"
    main.write_text(f"Host drone01\n    Include {included}\n    HostName 10.0.0.8\n")
    config = SshConfig.load(str(main))
    settings = config.settings("drone01")
    assert settings.port == 2201
    # The enclosing block goes on after the included file.
    assert settings.hostname == "10.0.0.8"
    assert config.settings("other").port == 9999
    assert config.settings("other").hostname == "other"


def test_include_loop_is_an_input_error(tmp_path):
    main = tmp_path / "ssh_config"
    main.write_text(f"Include {main}\n")
    with pytest.raises(InputError) as caught:
        SshConfig.load(str(main))
    assert "Include" in caught.value.problem


def test_missing_ssh_config_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as caught:
        inventory.build(make_config(BASE), ssh_config=str(tmp_path / "nope"))
    assert caught.value.path == str(tmp_path / "nope")


def test_invalid_port_is_an_input_error(tmp_path):
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text("Host drone01\n    Port twenty-two\n")
    with pytest.raises(InputError) as caught:
        inventory.build(make_config(BASE), ssh_config=str(ssh_config))
    assert "twenty-two" in caught.value.problem


def test_default_files_read_user_config_first(isolated_home, monkeypatch):
    ssh_dir = isolated_home / ".ssh"
    ssh_dir.mkdir()
    (ssh_dir / "config").write_text("Host drone01\n    HostName 10.0.0.9\n")
    host = by_name(inventory.build(make_config(BASE)))["drone01"]
    assert host.hostname == "10.0.0.9"


def test_host_list_merges_option_and_file(tmp_path):
    hosts_file = tmp_path / "hosts"
    hosts_file.write_text("# extra hosts\ndrone07\n  drone08  # rack 2\n\ndrone07\n")
    assert inventory.host_list(" a, b,,a ", str(hosts_file)) == [
        "a",
        "b",
        "drone07",
        "drone08",
    ]


def test_host_list_unreadable_file(tmp_path):
    with pytest.raises(InputError) as caught:
        inventory.host_list("", str(tmp_path / "missing"))
    assert caught.value.path == str(tmp_path / "missing")


def test_indexed_lookup_matches_paramiko_full_scan():
    import paramiko

    from gcheck.sshconfig import SshConfig

    blocks = [f"Host drone{i:02d}\n  HostName 127.0.1.{i + 1}\n" for i in range(30)]
    text = "\n".join(blocks) + (
        "\nHost drone0*\n  User x\n  IdentityFile ~/.ssh/a\n"
        "Host drone05 !drone06 other\n  Port 2200\n"
        "Host *\n  Port 2222\n  IdentityFile ~/.ssh/b\n"
        "Match originalhost drone07\n  Port 9\n"
    )
    indexed = SshConfig(text)._config
    full = paramiko.SSHConfig.from_text(text)
    names = [f"drone{i:02d}" for i in range(30)] + ["other", "drone", "unknown"]
    for name in names:
        assert dict(indexed.lookup(name)) == dict(full.lookup(name)), name


def proxy_ssh_config(tmp_path, command: str) -> str:
    path = tmp_path / "proxy_ssh_config"
    path.write_text(
        "Host drone01\n    HostName 10.0.0.1\n    Port 2222\n\n"
        f"Host *\n    User sshuser\n    ProxyCommand {command}\n"
    )
    return str(path)


def test_proxy_command_login_is_scheduler_login(tmp_path):
    text = BASE + "drone01_username: autotest\n"
    ssh_config = proxy_ssh_config(tmp_path, "/bin/true %r@%h:%p %n %%r")
    hosts = by_name(
        inventory.build(
            make_config(text), scheduler_user="sched", ssh_config=ssh_config
        )
    )
    assert hosts["drone01"].proxy_command == (
        "/bin/true autotest@10.0.0.1:2222 drone01 %r"
    )
    assert hosts["results01"].proxy_command == (
        "/bin/true sched@results01:22 results01 %r"
    )


def test_proxy_command_unknown_token(tmp_path):
    ssh_config = proxy_ssh_config(tmp_path, "/bin/true %h %Z")
    with pytest.raises(InputError, match="unknown token %Z"):
        inventory.build(make_config(BASE), ssh_config=ssh_config)


def test_proxy_command_keeps_invalid_name_out(tmp_path):
    text = BASE.replace("drone_02", "$(touch x)")
    ssh_config = proxy_ssh_config(tmp_path, "/bin/true %h %n")
    hosts = by_name(inventory.build(make_config(text), ssh_config=ssh_config))
    assert hosts["$(touch x)"].proxy_command == "/bin/true %h %n"
    assert hosts["drone01"].proxy_command == "/bin/true 10.0.0.1 drone01"


def test_host_list_splits_whitespace_and_commas(tmp_path):
    hosts_file = tmp_path / "hosts"
    hosts_file.write_text(
        "drone03 drone04\ndrone05,drone06\n\tdrone07 ,drone08 # x y\n"
    )
    assert inventory.host_list("", str(hosts_file)) == [
        "drone03",
        "drone04",
        "drone05",
        "drone06",
        "drone07",
        "drone08",
    ]


def test_host_list_rejects_non_utf8(tmp_path):
    hosts_file = tmp_path / "hosts"
    hosts_file.write_bytes(b"drone01\ncaf\xe9\n")
    with pytest.raises(InputError) as caught:
        inventory.host_list("", str(hosts_file))
    assert caught.value.problem == (
        "the hosts file is not UTF-8 text: byte 0xe9 on line 2 is invalid"
    )
    assert "codec" not in str(caught.value)
    assert caught.value.hint


def test_host_list_folder(tmp_path):
    with pytest.raises(InputError) as caught:
        inventory.host_list("", str(tmp_path))
    assert caught.value.problem == "cannot read the hosts file: Is a directory"


def test_ssh_config_folder_is_named(tmp_path):
    with pytest.raises(InputError) as caught:
        inventory.build(make_config(BASE), ssh_config=str(tmp_path))
    assert caught.value.path == str(tmp_path)
    assert caught.value.problem == "is a directory, not an ssh_config file"


def test_ssh_config_dev_null_is_empty():
    hosts = by_name(inventory.build(make_config(BASE), ssh_config="/dev/null"))
    assert hosts["drone01"].hostname == "drone01"


def test_binary_ssh_config_error_is_escaped(tmp_path):
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_bytes(b"\x7fELF\x02\x01\x1b[31m\xd0\xff zz\n")
    with pytest.raises(InputError) as caught:
        inventory.build(make_config(BASE), ssh_config=str(ssh_config))
    problem = caught.value.problem
    assert problem.startswith("invalid ssh_config: ")
    assert "\\x7fELF\\x02\\x01\\x1b[31m\\xd0\\xff zz" in problem
    assert problem.isprintable()


def test_ssh_config_tokens_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    config = SshConfig(
        "Host drone01\n  HostName %h.lab\n  IdentityFile ~/.ssh/k_%h\n"
        "  User plain\n  Port 2222\n"
    )
    settings = config.settings("drone01")
    assert settings.hostname == "drone01.lab"
    assert settings.identity_files == (f"{tmp_path}/.ssh/k_drone01.lab",)
    assert settings.user == "plain"
    assert settings.port == 2222


@pytest.mark.parametrize(
    "name", ["drone01", "drone02", "Drone01", "drone1", "results01", "other"]
)
def test_ssh_config_lookup_agrees_with_paramiko(name):
    import paramiko

    text = (
        "Host drone01 results01\n  User literal\n"
        "Host drone0[2] !results01\n  Port 2201\n"
        "Host Drone01\n  User upper\n"
        "Host drone?\n  Port 2202\n"
        "Host *\n  IdentityFile /keys/%h\n"
    )
    ours = SshConfig(text).lookup(name)
    theirs = dict(paramiko.SSHConfig.from_text(text).lookup(name))
    assert ours == theirs


def test_identity_file_expands_login_token(tmp_path):
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text(
        "Host drone1\n  User from-ssh-config\n  IdentityFile /keys/%r@%h\n"
    )
    text = "[SCHEDULER]\ndrones: drone1\ndrone1_username: autotest\n"
    host = by_name(inventory.build(make_config(text), ssh_config=str(ssh_config)))[
        "drone1"
    ]
    assert host.login == "autotest"
    assert host.identity_files == ("/keys/autotest@drone1",)


def test_known_hosts_file_tokens_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text(
        "Host drone1\n  HostName 10.0.0.7\n  Port 2222\n"
        "  UserKnownHostsFile ~/kh/%h_%p %d/kh/%n_%r\n"
    )
    text = "[SCHEDULER]\ndrones: drone1\ndrone1_username: autotest\n"
    host = by_name(inventory.build(make_config(text), ssh_config=str(ssh_config)))[
        "drone1"
    ]
    assert host.known_hosts_files[:2] == (
        f"{tmp_path}/kh/10.0.0.7_2222",
        f"{tmp_path}/kh/drone1_autotest",
    )
