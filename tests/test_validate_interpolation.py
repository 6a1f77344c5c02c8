"""``%(name)s`` references that fall back to the default or crash Autotest."""

from __future__ import annotations

import pytest

from gcheck import config, reader, schema
from gcheck.findings import Severity
from gcheck.validate import validate

CODES = {"V206", "V207"}


def _findings(text: str, shadow: str | None = None):
    global_file = reader.parse(text.encode(), "global.ini")
    shadow_file = (
        None if shadow is None else reader.parse(shadow.encode(), "shadow.ini")
    )
    found = validate(config.build(global_file, shadow_file), schema.load())
    return [f for f in found if f.code in CODES]


# (ini text, expected (line, code, severity))
CASES = [
    ("[SERVER]\nlogs_dir: /var/log\nrpc_log_path: %(logs_dir)s/rpc.log\n", []),
    ("[DEFAULT]\ntop: /srv\n[SERVER]\nrpc_log_path: %(top)s/rpc.log\n", []),
    ("[SERVER]\nrpc_log_path: /var/log/100%.log\n", []),
    ("[SERVER]\nlogs_dir: %(missing)s/logs\n", [(2, "V206", "warning")]),
    ("[SERVER]\nrpc_log_path: %(missing)s/rpc.log\n", [(2, "V206", "error")]),
    (
        "[SERVER]\nlogs_dir: %(logs_dir)s\n",
        [(2, "V206", "warning")],
    ),
    (
        "[SERVER]\nlogs_dir: /l\nrpc_log_path: %(logs_dir)s/rpc-100%.log\n",
        [(3, "V207", "error")],
    ),
    (
        "[SERVER]\nlogs_dir: /l\npid_files_dir: %(logs_dir)s/%d\n",
        [(3, "V207", "error")],
    ),
    # Keys that nothing reads are never expanded.
    ("[SERVER]\nmy_path: %(missing)s\n", []),
    ("[TKO]\nhost: %(missing)s\n", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_interpolation(text, expected):
    assert [(f.line, f.code, f.severity.label) for f in _findings(text)] == expected


def test_fallback_message():
    (finding,) = _findings("[SERVER]\nlogs_dir: %(top)s/logs\n")
    assert finding.message == (
        "logs_dir refers to %(top)s, which neither [SERVER] nor [DEFAULT] defines: "
        "ConfigParser raises and Autotest silently uses '' instead"
    )


def test_depth_message():
    (finding,) = _findings("[SERVER]\nlogs_dir: %(logs_dir)s\n")
    assert "more than ten levels deep" in finding.message


def test_required_key_fallback_is_error():
    (finding,) = _findings("[SERVER]\nhostname: %(name)s\n")
    assert finding.severity is Severity.ERROR
    assert finding.message.endswith("with no default it stops")


def test_crash_message_tells_fix():
    (finding,) = _findings("[SERVER]\nlogs_dir: /l\npid_files_dir: %(logs_dir)s/%d\n")
    assert finding.message.startswith("pid_files_dir mixes %(name)s with a '%'")
    assert finding.message.endswith("write a literal '%' as '%%'")


def test_shadow_merge_failure_not_v206():
    shadow = "[SERVER]\nlogs_dir: %(top)s/logs\n"
    # The merge failure stops Autotest; the option never reaches the
    # merged configuration, so no V206 is reported for it.
    assert _findings("[SERVER]\ntop: /srv\n", shadow) == []
