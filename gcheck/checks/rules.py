"""Rules that join several of Autotest's keys.

Each rule applies only when the schema has the keys it reads, so a schema
for another program never triggers Autotest's rules.
"""

from __future__ import annotations

from collections.abc import Iterator

from gcheck import values
from gcheck.checks import Subject
from gcheck.checks.common import HIDDEN
from gcheck.codes import validation as codes
from gcheck.findings import Finding, make

SCHEDULER = values.SCHEDULER


def _text(subject: Subject, section: str, option: str) -> str | None:
    """Return the value ``get_value`` starts from, ``None`` for the default."""
    try:
        value = values.get_text(subject.config, section, option, default=None)
    except ValueError:
        return None  # an interpolation crash, reported on its own
    return None if value.defaulted else value.text


def _known(subject: Subject, *keys: tuple[str, str]) -> bool:
    return all(
        subject.schema.key(section, option) is not None for section, option in keys
    )


def _where(subject: Subject, section: str, option: str) -> dict:
    setting = subject.config.setting(section, option)
    if setting is None:
        return {"path": subject.config.global_file.path, "section": section}
    origin = setting.origin
    return {
        "path": origin.path,
        "line": origin.line,
        "col": origin.col,
        "section": section,
        "option": option,
    }


def drone_set_name(subject: Subject) -> Iterator[Finding]:
    """Report drone sets enabled without a default_drone_set_name."""
    keys = ((SCHEDULER, "drone_sets_enabled"), (SCHEDULER, "default_drone_set_name"))
    if not _known(subject, *keys):
        return
    enabled = _text(subject, SCHEDULER, "drone_sets_enabled")
    if enabled is None or not values.to_bool(enabled):
        return
    if _text(subject, SCHEDULER, "default_drone_set_name") is None:
        message = (
            "drone_sets_enabled is true but default_drone_set_name is blank or "
            "missing: jobs that name no drone set have none to run on"
        )
        where = _where(subject, SCHEDULER, "drone_sets_enabled")
        yield make(codes.DRONE_SET_NAME, message, **where)


def results_directory(subject: Subject) -> Iterator[Finding]:
    """Report a remote results host that falls back to drone_installation_directory."""
    keys = (
        (SCHEDULER, "results_host"),
        (SCHEDULER, "results_host_installation_directory"),
    )
    if not _known(subject, *keys, (SCHEDULER, "drone_installation_directory")):
        return
    host = values.results_host(subject.config)
    if host == values.LOCALHOST or host in values.drones(subject.config):
        return
    if _text(subject, SCHEDULER, "results_host_installation_directory") is not None:
        return
    directory = _text(subject, SCHEDULER, "drone_installation_directory") or "(unset)"
    if subject.is_secret(SCHEDULER, "results_host"):
        host = HIDDEN
    if subject.is_secret(SCHEDULER, "drone_installation_directory"):
        directory = HIDDEN
    message = (
        f"results_host_installation_directory is blank, so the scheduler expects "
        f"Autotest on results host {host} under drone_installation_directory "
        f"{directory}"
    )
    yield make(
        codes.RESULTS_DIRECTORY, message, **_where(subject, SCHEDULER, "results_host")
    )


def smtp_password_without_user(subject: Subject) -> Iterator[Finding]:
    """Report an SMTP password without an SMTP user, which Autotest never uses."""
    for section in ("SERVER", "EMAIL"):
        if not _known(subject, (section, "smtp_user"), (section, "smtp_password")):
            continue
        password = _text(subject, section, "smtp_password")
        if password is None or _text(subject, section, "smtp_user") is not None:
            continue
        message = (
            f"[{section}] smtp_password is set but smtp_user is blank: Autotest "
            "logs in to the SMTP server only with a user, so the password is unused"
        )
        yield make(
            codes.SMTP_PASSWORD_UNUSED,
            message,
            **_where(subject, section, "smtp_password"),
        )


def all_drones_disabled(subject: Subject) -> Iterator[Finding]:
    """Report a drone list in which every drone is disabled."""
    if not _known(subject, (SCHEDULER, "drones")):
        return
    drones = [name for name in values.drones(subject.config) if name]
    flags = [f"{drone.lower()}_disabled" for drone in drones]
    for flag in flags:
        text = _text(subject, SCHEDULER, flag)
        if text is None or not values.is_set(text):
            return
    if not drones:
        return
    listed = ", ".join(drones)
    if subject.is_secret(SCHEDULER, "drones"):
        listed = HIDDEN
    message = (
        f"every drone ({listed}) has a non-blank <host>_disabled key: "
        "the scheduler has no drone to run jobs on"
    )
    # Without a drones key (drones defaults to localhost), point at the flag.
    option = "drones" if subject.config.setting(SCHEDULER, "drones") else flags[0]
    yield make(codes.ALL_DRONES_DISABLED, message, **_where(subject, SCHEDULER, option))


def scheduler_disabled(subject: Subject) -> Iterator[Finding]:
    """Report that the scheduler exits at start because enable_scheduler is False."""
    if not _known(subject, (SCHEDULER, "enable_scheduler")):
        return
    text = _text(subject, SCHEDULER, "enable_scheduler")
    if text is not None and not values.to_bool(text):
        message = "enable_scheduler is False: Autotest's scheduler exits when it starts"
        where = _where(subject, SCHEDULER, "enable_scheduler")
        yield make(codes.SCHEDULER_DISABLED, message, **where)


def paramiko_agent(subject: Subject) -> Iterator[Finding]:
    """Report the paramiko engine without use_sshagent_with_paramiko, read with no default."""
    keys = (("AUTOSERV", "ssh_engine"), ("AUTOSERV", "use_sshagent_with_paramiko"))
    if not _known(subject, *keys):
        return
    engine = _text(subject, "AUTOSERV", "ssh_engine")
    if engine is None or values.strip(engine) != "paramiko":
        return
    if _text(subject, "AUTOSERV", "use_sshagent_with_paramiko") is None:
        message = (
            "ssh_engine is paramiko but use_sshagent_with_paramiko is blank or "
            "missing: autoserv reads it with no default and stops"
        )
        yield make(
            codes.PARAMIKO_AGENT, message, **_where(subject, "AUTOSERV", "ssh_engine")
        )


def readonly_password_unused(subject: Subject) -> Iterator[Finding]:
    """Report a readonly_password that the frontend never uses."""
    section = "AUTOTEST_WEB"
    keys = [(section, k) for k in ("user", "readonly_user", "readonly_password")]
    if not _known(subject, *keys):
        return
    if _text(subject, section, "readonly_password") is None:
        return
    readonly_user = _text(subject, section, "readonly_user")
    user = _text(subject, section, "user")
    distinct = (
        readonly_user is not None and readonly_user.strip() != (user or "").strip()
    )
    if distinct:
        return
    message = (
        "readonly_password is set but readonly_user is blank or equals user: "
        "the frontend connects read-only with password instead"
    )
    where = _where(subject, section, "readonly_password")
    yield make(codes.READONLY_PASSWORD_UNUSED, message, **where)


CHECKS = [
    drone_set_name,
    results_directory,
    smtp_password_without_user,
    all_drones_disabled,
    scheduler_disabled,
    paramiko_agent,
    readonly_password_unused,
]
