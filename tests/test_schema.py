"""The schema engine and Autotest's built-in schema."""

from __future__ import annotations

import csv
import re

import pytest

from gcheck import config, reader, schema, values
from gcheck.errors import InputError
from gcheck.schema_functions import (
    ConversionError,
    InvalidNamesError,
    NotAllowedError,
    OutOfRangeError,
)
from gcheck.validate import placeholder_fillers


@pytest.fixture(scope="module")
def autotest() -> schema.Schema:
    return schema.load()


def _config(text: str) -> config.Config:
    return config.build(reader.parse(text.encode(), "test.ini"))


def test_load_caches_builtin_schema():
    assert schema.load("autotest") is schema.load()


def test_builtin_names():
    assert schema.builtin_names() == ["autotest"]


def test_shipped_file_fully_covered(autotest, data_dir):
    shipped = reader.parse((data_dir / "global_config.ini").read_bytes(), "g.ini")
    for section, options in shipped.sections.items():
        assert autotest.has_section(section), section
        for option in options:
            if (section, option) == MISPLACED_IN_SHIPPED_FILE:
                continue
            assert autotest.key(section, option) is not None, f"[{section}] {option}"


# The shipped file lists this key under [NOTIFICATION], but Autotest's
# scheduler reads it from [SCHEDULER]; the schema follows the reader.
MISPLACED_IN_SHIPPED_FILE = ("NOTIFICATION", "keyval_names_exibit_summary_mail")


def test_misplaced_shipped_key(autotest):
    section, option = MISPLACED_IN_SHIPPED_FILE
    assert autotest.key(section, option) is None
    assert autotest.sections_with(option) == ["SCHEDULER"]


# Sections the key table gives by a constant or variable, resolved per
# source file as the schema resolves them.
SECTION_NAMES = {
    ("(expr) CONFIG_SECTION", "scheduler/email_manager.py"): "SCHEDULER",
    ("(expr) CONFIG_SECTION_SMTP", "scheduler/email_manager.py"): "SERVER",
    ("(expr) scheduler_config.CONFIG_SECTION", "*"): "SCHEDULER",
    ("(expr) _section", "frontend/settings.py"): "AUTOTEST_WEB",
    (
        "(expr) sect",
        "installation_support/database_manager/__init__.py",
    ): "AUTOTEST_WEB",
    ("(expr) section", "frontend/make_superuser.py"): "AUTOTEST_WEB",
    ("(expr) section", "scheduler/drone_manager.py"): "SCHEDULER",
}


def _section(row: dict) -> str:
    for (section, source), name in SECTION_NAMES.items():
        if row["section"] == section and source in ("*", row["source_file"]):
            return name
    return row["section"]


def _literal_rows(data_dir):
    """Yield the key table's rows whose key is a literal name."""
    with open(data_dir / "keys_read_by_autotest.csv", newline="") as stream:
        for row in csv.DictReader(stream):
            if re.fullmatch(r"[a-z0-9_]+", row["key"]):
                yield row


def test_key_table_sections_all_resolved(data_dir):
    for row in _literal_rows(data_dir):
        assert not _section(row).startswith("(expr)"), row


def test_key_table_keys_covered(autotest, data_dir):
    for row in _literal_rows(data_dir):
        section = _section(row)
        spec = autotest.key(section, row["key"])
        assert spec is not None, f"[{section}] {row['key']} ({row['source_file']})"


def test_per_host_keys_are_templates(autotest):
    suffixes = {t.option for t in autotest.templates("SCHEDULER")}
    assert suffixes == {
        "<host>_username",
        "<host>_disabled",
        "<host>_max_processes",
        "<host>_users",
    }


def test_key_table_types_kept(autotest, data_dir):
    for row in _literal_rows(data_dir):
        if row["type"] in ("int", "float", "bool", "list"):
            spec = autotest.key(_section(row), row["key"])
            assert spec.type == row["type"], row["key"]


def test_template_key_resolves_for_known_host(autotest):
    spec = autotest.key("SCHEDULER", "Dumpster_Username", ["Dumpster"])
    assert spec is not None
    assert spec.type == "login"
    assert spec.template == "<host>_username"
    assert spec.filler == "Dumpster"
    assert spec.option == "dumpster_username"


def test_template_key_unknown_without_host(autotest):
    assert autotest.key("SCHEDULER", "dumpster_username") is None
    assert autotest.key("SCHEDULER", "dumpster_username", ["other"]) is None


def test_template_prefers_longest_host(autotest):
    spec = autotest.key("SCHEDULER", "drone_a_disabled", ["drone", "drone_a"])
    assert spec.filler == "drone_a"


def test_template_matches_any_text(autotest):
    matches = autotest.template_matches("SCHEDULER", "dumpstr_username")
    assert [(t.template, text) for t, text in matches] == [
        ("<host>_username", "dumpstr")
    ]


def test_sections_with_finds_every_section(autotest):
    assert autotest.sections_with("smtp_server") == ["SERVER", "EMAIL"]
    assert autotest.sections_with("tick_pause_sec") == ["SCHEDULER"]
    assert autotest.sections_with("no_such_key") == []


@pytest.mark.parametrize(
    ("section", "option", "secret"),
    [
        ("AUTOTEST_WEB", "password", True),
        ("AUTOTEST_WEB", "readonly_password", True),
        ("EMAIL", "smtp_password", True),
        ("SERVER", "smtp_password", True),
        ("INSTALL_SERVER", "password", True),
        ("AUTOTEST_WEB", "user", False),
        ("SCHEDULER", "drone1_username", False),
        ("TKO", "password", True),
        ("SCHEDULER", "api_token", True),
        ("SCHEDULER", "notify_email", False),
    ],
)
def test_is_secret(autotest, section, option, secret):
    assert autotest.is_secret(section, option) is secret


@pytest.mark.parametrize(
    ("section", "option", "text", "typed"),
    [
        ("SCHEDULER", "enable_scheduler", "no", True),
        ("SCHEDULER", "enable_scheduler", " FALSE ", False),
        ("SCHEDULER", "max_processes_per_drone", " 20 ", 20),
        ("SCHEDULER", "drones", "a , b,", ["a", "b", ""]),
        ("SCHEDULER", "drones", "  ", ["localhost"]),
        ("SCHEDULER", "results_host", " r1 ", "r1"),
        ("HOSTS", "default_protection", "No protection", "NO_PROTECTION"),
        ("HOSTS", "hours_to_wait_for_recovery", "2.5", 2.5),
        ("HOSTS", "hours_to_wait_for_recovery", "", 2.5),
        ("PACKAGES", "fetch_location", "", []),
        ("AUTOSERV", "client_autodir_paths", "/a,/b", ["/a", "/b"]),
        ("EMAIL", "smtp_port", "25", 25),
        ("EMAIL", "smtp_port", "smtp", "smtp"),
        ("SERVER", "hostname", " autotest ", "autotest"),
        ("NOTIFICATION", "notify_email_from", "", "autotest-grid@no-reply.com"),
    ],
)
def test_normalize(autotest, section, option, text, typed):
    assert autotest.key(section, option).normalize(text) == typed


def test_normalize_per_host_keys(autotest):
    hosts = ["d1"]
    assert autotest.key("SCHEDULER", "d1_disabled", hosts).normalize("False") is True
    assert autotest.key("SCHEDULER", "d1_disabled", hosts).normalize("") is False
    assert autotest.key("SCHEDULER", "d1_users", hosts).normalize("a  b") == ["a", "b"]
    assert autotest.key("SCHEDULER", "d1_max_processes", hosts).normalize("") is None


@pytest.mark.parametrize(
    ("section", "option", "text"),
    [
        ("SCHEDULER", "max_processes_per_drone", "1_000"),
        ("SCHEDULER", "max_processes_per_drone", "5.0"),
        ("HOSTS", "hours_to_wait_for_recovery", "2,5"),
    ],
)
def test_normalize_raises_where_autotest_fails(autotest, section, option, text):
    with pytest.raises(ValueError):
        autotest.key(section, option).normalize(text)


def test_required_keys_have_no_default(autotest):
    spec = autotest.key("SCHEDULER", "pidfile_timeout_mins")
    assert spec.required is True
    assert spec.default is None
    optional = autotest.key("SCHEDULER", "default_drone_set_name")
    assert optional.required is False


def test_key_spec_is_hashable(autotest):
    assert (
        len(
            {
                autotest.key("SCHEDULER", "drones"),
                autotest.key("PACKAGES", "fetch_location"),
            }
        )
        == 2
    )


@pytest.mark.parametrize(
    ("section", "option", "text", "error"),
    [
        ("SCHEDULER", "tick_pause_sec", "x", ConversionError),
        ("SCHEDULER", "tick_pause_sec", "-1", OutOfRangeError),
        ("SCHEDULER", "pidfile_timeout_mins", "0", OutOfRangeError),
        ("EMAIL", "smtp_port", "70000", OutOfRangeError),
        ("EMAIL", "smtp_port", "smtp", ConversionError),
        ("SERVER", "logs_disk_usage_treshold", "101", OutOfRangeError),
        ("AUTOSERV", "ssh_engine", "openssh", NotAllowedError),
        ("AUTOTEST_WEB", "db_type", "postgresql", NotAllowedError),
        ("HOSTS", "default_protection", "maybe", NotAllowedError),
        ("SCHEDULER", "drones", "a, b c", InvalidNamesError),
        ("SCHEDULER", "results_host", "a,b", InvalidNamesError),
    ],
)
def test_check_rejects(autotest, section, option, text, error):
    with pytest.raises(error):
        autotest.check(autotest.key(section, option), text)


def test_check_returns_typed_value(autotest):
    assert autotest.check(
        autotest.key("HOSTS", "default_protection"), "do not verify"
    ) == ("DO_NOT_VERIFY")
    assert autotest.check(autotest.key("SCHEDULER", "tick_pause_sec"), "0") == 0


def test_invalid_names_lists_every_bad_item(autotest):
    with pytest.raises(InvalidNamesError) as caught:
        autotest.check(autotest.key("SCHEDULER", "drones"), "ok, bad name,, x**")
    assert caught.value.problems == (
        ("bad name", "contains a space"),
        ("", "is empty"),
        ("x**", "contains '*'"),
    )


def test_placeholder_fillers_match_known_hosts(autotest, data_dir):
    text = "[SCHEDULER]\ndrones: d1, D2, d1\nresults_host: r1\n"
    cfg = _config(text)
    assert placeholder_fillers(cfg, autotest) == {"host": values.known_hosts(cfg)}


def test_placeholder_fillers_default_to_localhost(autotest):
    assert placeholder_fillers(_config("[SCHEDULER]\n"), autotest) == {
        "host": ["localhost"]
    }


# Schema files and the start of the InputError each one raises.
BAD_SPECS = [
    ("[A]\nx = boolean()\n", "[A] x: unknown check function 'boolean'"),
    ("[A]\nX = int()\n", "[A] X: key names must be lower case"),
    ("[A]\nx:y = int()\n", "[A] x:y: no option name can contain"),
    ("[A]\nx = int(min=a)\n", "[A] x: min='a' is not a valid int"),
    ("[A]\nx = int() # note\n", "[A] x: 'int() # note' is not a check"),
    ("[A]\nx = int(default=abc)\n", "[A] x: default='abc' is not a valid int"),
    ("[A]\nx = str(foo=1)\n", "[A] x: str() takes no argument 'foo'"),
    ("[A]\nx = int(5)\n", "[A] x: int() takes keyword arguments only"),
    ("[A]\nx = choice()\n", "[A] x: choice() needs at least one allowed value"),
    ("[A]\nx = choice('a', fold=upper)\n", "[A] x: fold='upper'"),
    ("[A]\nx = str(secret=maybe)\n", "[A] x: secret='maybe': use yes or no"),
    ("[A]\nx = str(default=list('a'))\n", "[A] x: default=list(...) does not suit"),
    ("[A]\nx = hosts(placeholder=Host)\n", "[A] x: placeholder='Host'"),
    (
        "[A]\nx = str(placeholder=host)\n",
        "[A] x: str() takes no argument 'placeholder'",
    ),
    ("[A]\n<h>_x = str()\n", "[A] <h>_x: no key fills <h>"),
    ("[A]\n<a>_<b> = str()\n", "[A] <a>_<b>: a template must contain exactly one"),
    (
        "[A]\nh = hosts(placeholder=h)\n<h>_x = host(placeholder=h)\n",
        "[A] <h>_x: a template cannot itself fill",
    ),
    ("x = int()\n[A]\n", "key 'x' comes before any section"),
    ("[A]\n[[B]]\nx = str()\n", "[A] has a subsection [[B]]"),
    ("[A\nx = str()\n", "Invalid line ('[A')"),
    ("[A]\nx = int()\nx = str()\n", "Duplicate keyword name at line 3"),
]


@pytest.mark.parametrize(("text", "problem"), BAD_SPECS)
def test_bad_spec_raises_input_error(tmp_path, text, problem):
    path = tmp_path / "bad.spec"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        schema.load(str(path))
    assert caught.value.path == str(path)
    assert problem in caught.value.problem


def test_missing_schema_file(tmp_path):
    with pytest.raises(InputError, match="schema file not found"):
        schema.load(str(tmp_path / "none.spec"))


def test_schema_directory(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        schema.load(str(tmp_path))


def test_unknown_builtin_name():
    with pytest.raises(InputError, match="no built-in schema of that name"):
        schema.load("nosuchschema")


def test_non_utf8_schema(tmp_path):
    path = tmp_path / "latin.spec"
    path.write_bytes(b"[A]\n# caf\xe9\nx = str()\n")
    with pytest.raises(InputError, match="not UTF-8"):
        schema.load(str(path))


def _doc_example(name: str) -> str:
    """Return the ini code block after the heading ``name`` in the language docs."""
    text = (
        schema.Path(__file__).parent.parent / "docs" / "schema-language.rst"
    ).read_text()
    section = text.split(f"\n{name}\n", 1)[1]
    block = section.split(".. code-block:: ini\n\n", 1)[1]
    lines = []
    for line in block.splitlines():
        if line and not line.startswith("    "):
            break
        lines.append(line[4:])
    return "\n".join(lines).strip() + "\n"


def test_documented_example_schema_works(tmp_path):
    path = tmp_path / "fork.spec"
    path.write_text(_doc_example("Example"))
    fork = schema.load(str(path))
    hosts = {"worker": ["w1", "w2"]}
    assert fork.key("POOL", "w1_slots", hosts).type == "int"
    assert fork.key("POOL", "w2_login", hosts).type == "login"
    assert fork.key("POOL", "w3_slots", hosts) is None
    assert fork.is_secret("POOL", "api_token") is True
    assert fork.key("POOL", "mode").default == "safe"
    with pytest.raises(OutOfRangeError):
        fork.check(fork.key("POOL", "max_jobs"), "-1")
    with pytest.raises(NotAllowedError):
        fork.check(fork.key("POOL", "mode"), "turbo")


def test_builtin_spec_comments_stand_alone():
    text = (
        schema.Path(__file__).parent.parent / "schemas" / "autotest.spec"
    ).read_text()
    for line in text.splitlines():
        assert not re.search(r"\)\s+#", line), line
