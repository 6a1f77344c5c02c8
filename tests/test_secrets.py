"""Secret values stay hidden in every output: show, validate and drift."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from gcheck import inventory, load
from gcheck.check import CheckOptions, examine
from gcheck.cli import main
from gcheck.config import build
from gcheck.fetch import FetchOptions, HostResult, Phases
from gcheck.reader import parse
from gcheck.report import FORMATS, render_check
from gcheck.schema import load as load_schema
from gcheck.schema import looks_secret
from gcheck.validate import validate
from gcheck.values import Secrets, referenced_names

DATA = Path(__file__).resolve().parent / "data" / "autotest"

# Each secret text is unique, so a leak names the shape that caused it.
SHAPES = {
    "interpolated": ("[AUTOTEST_WEB]\npassword: Sec-interp-1\nuser: u-%(password)s\n"),
    "readonly": (
        "[AUTOTEST_WEB]\nreadonly_password: Sec-readonly-2\n"
        "readonly_user: %(readonly_password)s\n"
    ),
    "transitive": (
        "[AUTOTEST_WEB]\npassword: Sec-trans-3\nmiddle: <%(password)s>\n"
        "host: h-%(middle)s\n"
    ),
    "default section": (
        "[DEFAULT]\ndb_pw: Sec-default-4\n[SCHEDULER]\nnotify_email: %(db_pw)s\n"
    ),
    "whole mapping": ("[AUTOTEST_WEB]\npassword: Sec-mapping-5\nuser: %r%(host)s\n"),
    "unknown names": (
        "[EXTRA]\npasword: Sec-misspelt-6\napi_key: Sec-apikey-7\n"
        "private-key: Sec-private-8\nssh_passphrase: Sec-phrase-9\n"
        "smtp_pass: Sec-pass-10\nlabel: x-%(api_key)s\n"
    ),
    "number": (
        "[DEFAULT]\nmy_pwd: 987654321\n[EMAIL]\nsmtp_port: %(my_pwd)s\n"
        "[SCHEDULER]\nmax_processes_per_drone: x%(my_pwd)s\n"
    ),
    "bad host": (
        "[DEFAULT]\nhost_pw: Sec host 11\n[SCHEDULER]\nresults_host: %(host_pw)s\n"
    ),
}
SECRETS = [
    "Sec-interp-1",
    "Sec-readonly-2",
    "Sec-trans-3",
    "Sec-default-4",
    "Sec-mapping-5",
    "Sec-misspelt-6",
    "Sec-apikey-7",
    "Sec-private-8",
    "Sec-phrase-9",
    "Sec-pass-10",
    "987654321",
    "Sec host 11",
]
# Appended to the shipped file, so the shapes meet real keys and checks.
SHADOW = (
    "[AUTOTEST_WEB]\npassword: Sec-shadow-12\nhost: db-%(password)s\n"
    "[SCHEDULER]\nrelease_pw: Sec-shadow-13\n"
)
SHADOW_SECRETS = ["Sec-shadow-12", "Sec-shadow-13"]


def config_text(shape: str) -> str:
    return (DATA / "global_config.ini").read_text() + "\n" + SHAPES[shape]


def assert_hidden(output: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in output, f"{secret!r} leaks"
        # A conversion with a precision inserts a prefix of the value.
        assert secret[:7] not in output, f"a prefix of {secret!r} leaks"


@pytest.fixture(params=sorted(SHAPES))
def config_path(request, tmp_path) -> str:
    path = tmp_path / "global_config.ini"
    path.write_text(config_text(request.param))
    (tmp_path / "shadow_config.ini").write_text(SHADOW)
    return str(path)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_show_hides_secrets(capsys, config_path, fmt):
    main(["show", "--format", fmt, config_path])
    captured = capsys.readouterr()
    assert_hidden(captured.out + captured.err, SECRETS + SHADOW_SECRETS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_validate_hides_secrets(capsys, config_path, fmt):
    main(["validate", "--format", fmt, config_path])
    captured = capsys.readouterr()
    assert_hidden(captured.out + captured.err, SECRETS + SHADOW_SECRETS)


def test_validate_masks_out_of_range_number(capsys, tmp_path):
    path = tmp_path / "global_config.ini"
    path.write_text(config_text("number"))
    main(["validate", "--format", "json", "--no-shadow", str(path)])
    out = capsys.readouterr().out
    assert "smtp_port is (secret value not shown), outside" in out


def _result(tmp_path, remote: str, remote_shadow: str | None, fmt_hosts=("d1",)):
    local = (DATA / "global_config.ini").read_text()
    local = local.replace("drones: localhost", "drones: d1")
    local = local.replace("results_host: localhost", "results_host: d1")
    (tmp_path / "global_config.ini").write_text(local)
    (tmp_path / "ssh_config").write_text("")
    config = load.load(str(tmp_path / "global_config.ini"), shadow=None)
    schema = load_schema()
    hosts = inventory.build(
        config, scheduler_user="autotest", ssh_config=str(tmp_path / "ssh_config")
    )
    files = {"global_config.ini": remote.encode()}
    if remote_shadow is not None:
        files["shadow_config.ini"] = remote_shadow.encode()
    host = next(h for h in hosts if h.name == "d1")
    phases = Phases(connect=0.001, handshake=0.01, auth=0.02, transfer=0.005)
    results = [HostResult(host, True, files, phases)]
    options = CheckOptions(fetch=FetchOptions())
    return examine(config, validate(config, schema), hosts, results, schema, options)


def _remote(shape: str) -> str:
    text = config_text(shape)
    text = text.replace("drones: localhost", "drones: d1")
    return text.replace("results_host: localhost", "results_host: d1")


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("fmt", FORMATS)
def test_drift_hides_remote_secrets(tmp_path, shape, fmt):
    result = _result(tmp_path, _remote(shape), SHADOW)
    stream = io.StringIO()
    render_check(result, fmt, stream)
    assert result.drift.findings
    assert_hidden(stream.getvalue(), SECRETS + SHADOW_SECRETS)


def test_drift_says_interpolated_secret_differs(tmp_path):
    result = _result(tmp_path, _remote("interpolated"), None)
    (user,) = [f for f in result.drift.findings if f.option == "user"]
    assert user.code == "D408"
    assert user.message == (
        "[AUTOTEST_WEB] user differs from the value in the local reference "
        "(values hidden)"
    )


def test_drift_hides_local_secret_reference(tmp_path):
    """The local copy's expanded value is hidden when the host's differs."""
    local = _remote("interpolated")
    (tmp_path / "global_config.ini").write_text(local)
    (tmp_path / "ssh_config").write_text("")
    config = load.load(str(tmp_path / "global_config.ini"), shadow=None)
    schema = load_schema()
    hosts = inventory.build(
        config, scheduler_user="autotest", ssh_config=str(tmp_path / "ssh_config")
    )
    remote = local.replace("user: u-%(password)s", "user: autotest")
    phases = Phases(connect=0.001, handshake=0.01, auth=0.02, transfer=0.005)
    host = next(h for h in hosts if h.name == "d1")
    results = [HostResult(host, True, {"global_config.ini": remote.encode()}, phases)]
    options = CheckOptions(fetch=FetchOptions())
    result = examine(config, validate(config, schema), hosts, results, schema, options)
    for fmt in FORMATS:
        stream = io.StringIO()
        render_check(result, fmt, stream)
        assert "Sec-interp-1" not in stream.getvalue()
    user = [f for f in result.drift.findings if f.option == "user"]
    assert len(user) == 1
    assert "values hidden" in user[0].message


def _secrets(global_text: str, shadow_text: str | None = None) -> Secrets:
    shadow = None
    if shadow_text is not None:
        shadow = parse(shadow_text.encode(), "shadow_config.ini", role="shadow")
    config = build(parse(global_text.encode(), "global_config.ini"), shadow)
    return Secrets(config, load_schema())


def test_secrets_follow_references():
    secrets = _secrets(SHAPES["transitive"] + "note: %(host)s\nplain: x\n")
    assert secrets.is_secret("AUTOTEST_WEB", "password")
    assert secrets.is_secret("AUTOTEST_WEB", "middle")
    assert secrets.is_secret("AUTOTEST_WEB", "host")
    assert secrets.is_secret("AUTOTEST_WEB", "note")
    assert not secrets.is_secret("AUTOTEST_WEB", "plain")


def test_secrets_stop_at_ten_levels():
    lines = ["[X]", "password: s", "v0: %(password)s"]
    lines += [f"v{i}: %(v{i - 1})s" for i in range(1, 12)]
    secrets = _secrets("\n".join(lines) + "\n")
    # v9 inserts the password on the tenth pass; v10 would need an eleventh.
    assert secrets.is_secret("X", "v9")
    assert not secrets.is_secret("X", "v10")


def test_secrets_of_other_sections_do_not_count():
    secrets = _secrets("[A]\npassword: s\n[B]\nuser: %(password)s\n")
    assert not secrets.is_secret("B", "user")


def test_secrets_through_shadow_merge():
    shadow = "[AUTOTEST_WEB]\npassword: s\nhost: %(password)s\n"
    secrets = _secrets("[AUTOTEST_WEB]\nhost: h\nuser: %(host)s\n", shadow)
    assert secrets.is_secret("AUTOTEST_WEB", "host")
    assert secrets.is_secret("AUTOTEST_WEB", "user")


def test_secrets_whole_mapping_conversion():
    secrets = _secrets("[A]\nmy_token: s\nlabel: %r%(x)s\nx: 1\n")
    assert secrets.is_secret("A", "label")


def test_referenced_names_after_missing_name():
    names = {"a": "1", "b": "2"}
    assert referenced_names("%(zz)s%(b)s", names) == {"b"}


@pytest.mark.parametrize(
    "name",
    [
        "db_pw",
        "DB_PWD",
        "smtp-pass",
        "dbpw",
        "mypwd",
        "pasword",
        "passphrase",
        "ssh_passphrase",
        "credential",
        "aws_credentials",
        "api_key",
        "API-KEY",
        "private_key",
        "client_secret",
        "auth_token",
        "db_password",
        "passwd",
    ],
)
def test_name_looks_secret(name):
    assert looks_secret(name)


@pytest.mark.parametrize(
    "name",
    [
        "pwr_limit",
        "passive_mode",
        "compass_dir",
        "bypass",
        "passes",
        "api_url",
        "key_file",
        "pwm_channel",
        "user",
        "host",
        "max_processes",
        "readonly_user",
    ],
)
def test_name_does_not_look_secret(name):
    assert not looks_secret(name)


def count_calls(monkeypatch, cls, name: str) -> list:
    """Record the first argument of each call to ``cls.name``."""
    calls = []
    original = getattr(cls, name)

    def counting(self, argument):
        calls.append(argument)
        return original(self, argument)

    monkeypatch.setattr(cls, name, counting)
    return calls


def test_secrets_read_each_section_once(monkeypatch):
    lines = ["[SCHEDULER]", "db_pw: hidden"]
    lines += [f"key_{i}: %(db_pw)s/{i}" for i in range(30)]
    config = build(parse("\n".join(lines).encode() + b"\n", "global_config.ini"))
    calls = count_calls(monkeypatch, type(config), "_names")
    secrets = Secrets(config, load_schema("autotest"))
    found = [secrets.is_secret("SCHEDULER", f"key_{i}") for i in range(30)]
    assert found == [True] * 30
    assert calls == ["SCHEDULER"]


def test_config_get_encodes_names_once(monkeypatch):
    lines = ["[SCHEDULER]", "base: /x"] + [f"key_{i}: %(base)s/{i}" for i in range(30)]
    config = build(parse("\n".join(lines).encode() + b"\n", "global_config.ini"))
    calls = count_calls(monkeypatch, type(config), "_names")
    values = [config.get("SCHEDULER", f"key_{i}").value for i in range(30)]
    assert values == [f"/x/{i}" for i in range(30)]
    assert calls == ["SCHEDULER"]
