"""Every output format of ``gcheck check``, on a result built without SSH."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from gcheck import inventory, load
from gcheck.check import CheckOptions, examine
from gcheck.fetch import FetchOptions, HostResult, Phases
from gcheck.findings import make
from gcheck.report import FORMATS, render_check
from gcheck.report.base import counts_text
from gcheck.schema import load as load_schema
from gcheck.validate import validate

# The real Autotest files; the data_dir fixture is per test.
DATA = Path(__file__).resolve().parent / "data" / "autotest"
SECRET = "shadow-secret-71b2"
OTHER_SECRET = "other-secret-03c9"


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("check")
    text = (DATA / "global_config.ini").read_text()
    text = text.replace("drones: localhost", "drones: d1,d2,d3,d4,d5")
    text = text.replace("results_host: localhost", "results_host: d1\nd5_disabled: 1")
    shadow = f"[AUTOTEST_WEB]\npassword: {SECRET}\n"
    (tmp_path / "global_config.ini").write_text(text)
    (tmp_path / "shadow_config.ini").write_text(shadow)
    (tmp_path / "ssh_config").write_text("")

    config = load.load(str(tmp_path / "global_config.ini"))
    schema = load_schema()
    hosts = inventory.build(
        config, scheduler_user="autotest", ssh_config=str(tmp_path / "ssh_config")
    )
    by_name = {host.name: host for host in hosts}
    files = {"global_config.ini": text.encode(), "shadow_config.ini": shadow.encode()}
    drifted = text.replace("tick_pause_sec: 5", "tick_pause_sec: 6").encode()
    other = f"[AUTOTEST_WEB]\npassword: {OTHER_SECRET}\n".encode()
    fast = Phases(connect=0.001, handshake=0.01, auth=0.02, transfer=0.005)
    results = [
        HostResult(by_name["d1"], True, files, fast),
        HostResult(
            by_name["d2"],
            True,
            {**files, "global_config.ini": drifted},
            Phases(connect=0.001, handshake=0.01, auth=2.5, transfer=0.005),
        ),
        HostResult(
            by_name["d3"],
            False,
            {},
            Phases(connect=0.001),
            make("H102", "connection refused", host="d3"),
        ),
        HostResult(by_name["d4"], True, {**files, "shadow_config.ini": other}, fast),
    ]
    options = CheckOptions(fetch=FetchOptions())
    reference = validate(config, schema)
    return examine(config, reference, hosts, results, schema, options)


def render(result, fmt: str) -> str:
    stream = io.StringIO()
    render_check(result, fmt, stream)
    return stream.getvalue()


def test_text_report_after_reference(result):
    lines = render(result, "text").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Hosts: "))
    assert lines[start:] == [
        "Hosts: 5 hosts (1 identical, 2 drifted, 1 unreachable, 1 disabled)",
        "  disabled, not fetched: d5",
        "",
        "Unreachable (1)",
        "  H102 Connection refused: d3",
        "    d3: connection refused",
        "    hint: Start sshd on the host, or fix Port in ssh_config.",
        "",
        "Slow authentication (1) over 1 s, or far above the fleet median of 0.02 s",
        (
            "  d2: authentication took 2.50 s, over the 1 s limit (fleet median 0.02 s); "
            "connect 0.001 s, handshake 0.010 s, auth 2.500 s, transfer 0.005 s"
        ),
        f"  hint: {result.hosts[1].slow.hint}",
        "",
        "Drift from the local reference",
        "  identical: d1",
        "  shadow_config.ini differs (D407): d4",
        "  [AUTOTEST_WEB] password (secret, values hidden)",
        "    differs (secret, D408): d4",
        "  [SCHEDULER] tick_pause_sec",
        "    local reference: '5'",
        "    '6' (drifted, D401): d2",
        "",
        counts_text(result.findings()),
        (
            "Not ready to restart: 1 host is unreachable, "
            "2 hosts drift from the local reference."
        ),
    ]


def test_verdict_and_statuses(result):
    assert [(r.name, r.status) for r in result.hosts] == [
        ("d1", "identical"),
        ("d2", "drifted"),
        ("d3", "unreachable"),
        ("d4", "drifted"),
        ("d5", "disabled"),
    ]
    assert result.verdict.exit_code == 1
    assert result.hosts[1].slow.code == "H304"


def test_json_document_matches_schema(result):
    document = json.loads(render(result, "json"))
    schema = resources.files("gcheck").joinpath("data/check-report.schema.json")
    jsonschema.validate(document, json.loads(schema.read_text()))
    assert document["format_version"] == 1
    assert document["command"] == "check"
    assert document["summary"]["unreachable"] == 1
    assert document["summary"]["disabled"] == 1
    d2 = document["hosts"][1]
    assert d2["phases"] == {
        "connect": 0.001,
        "handshake": 0.01,
        "auth": 2.5,
        "transfer": 0.005,
    }
    assert d2["slow_auth"]["code"] == "H304"
    assert [f["code"] for f in d2["drift"]] == ["D401"]
    assert document["hosts"][4]["phases"] is None
    password = next(
        o for o in document["drift"]["options"] if o["option"] == "password"
    )
    assert password["secret"] is True
    assert password["baseline"] is None
    assert password["groups"] == [
        {"kind": "secret", "code": "D408", "value": None, "hosts": ["d4"]}
    ]


def test_junit_one_case_per_host(result):
    root = ET.fromstring(render(result, "junit"))
    cases = root.findall("testsuite/testcase")
    assert [c.get("name") for c in cases][1:] == ["d1", "d2", "d3", "d4", "d5"]
    assert cases[1].find("failure") is None
    assert [f.get("type") for f in cases[2].findall("failure")] == ["H304", "D401"]
    assert [f.get("type") for f in cases[3].findall("failure")] == ["H102"]
    assert cases[5].find("skipped").get("message") == "disabled in the config"
    assert root.get("skipped") == "1"


def test_sarif_points_reference_at_lines(result):
    log = json.loads(render(result, "sarif"))
    results = log["runs"][0]["results"]
    reference = [r for r in results if "physicalLocation" in r["locations"][0]]
    assert reference
    region = reference[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1
    hosts = [
        r["locations"][0]["logicalLocations"][0]["name"]
        for r in results
        if r not in reference
    ]
    assert hosts == ["d2", "d2", "d3", "d4", "d4"]


def test_github_annotations_end_with_verdict(result):
    lines = render(result, "github").splitlines()
    assert (
        "::error title=H102::d3: connection refused%0Ahint: Start sshd on the host, or fix Port in ssh_config."
        in lines
    )
    assert lines[-1] == result.verdict.sentence
    assert lines[-2] == counts_text(result.findings())
    assert lines[-2].startswith("3 errors, 2 warnings, ")


@pytest.mark.parametrize("fmt", FORMATS)
def test_secrets_in_no_format(result, fmt):
    out = render(result, fmt)
    assert SECRET not in out
    assert OTHER_SECRET not in out
