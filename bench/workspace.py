"""Write the inputs every tool reads for one fleet: config, inventory, home.

All tools get the same host names, the same ssh_config (and through it
the same keys and known_hosts) and read the same remote file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

INSTALL_DIR = "/usr/local/autotest"
REMOTE_FILE = f"{INSTALL_DIR}/global_config.ini"
REFERENCE = Path(__file__).resolve().parent.parent / "tests/data/autotest"


@dataclass(frozen=True)
class Workspace:
    """Files generated for one fleet, and the values tools are run with."""

    root: Path
    hosts: tuple[str, ...]
    ssh_config: Path
    config: Path
    ansible_cfg: Path
    inventory: Path
    home: Path
    connect_timeout: float
    # The login on every host.  Autotest passes its login with ``ssh -l``,
    # which wins over ssh_config's User, so gcheck is given it explicitly.
    login: str

    def env(self) -> dict[str, str]:
        """Return the environment every tool runs in.

        A private HOME keeps the user's ~/.ssh, ~/.ansible and clush
        settings out, and without SSH_AUTH_SOCK no agent is asked for keys.
        """
        env = {k: v for k, v in os.environ.items() if k != "SSH_AUTH_SOCK"}
        env.update(
            HOME=str(self.home),
            ANSIBLE_CONFIG=str(self.ansible_cfg),
            LC_ALL="C.UTF-8",
            NO_COLOR="1",
        )
        return env


def render_config(reference: str, hosts: list[str]) -> str:
    """Return the shipped global_config.ini with ``hosts`` as its drones.

    The first host is also the results host, so every host is fetched once.
    """
    drones = ",".join(hosts)
    text = re.sub(r"(?m)^drones:.*$", f"drones: {drones}", reference, count=1)
    text = re.sub(r"(?m)^results_host:.*$", f"results_host: {hosts[0]}", text, count=1)
    return re.sub(
        r"(?m)^drone_installation_directory:.*$",
        f"drone_installation_directory: {INSTALL_DIR}",
        text,
        count=1,
    )


def _ansible_cfg(inventory: Path, ssh_config: Path, local_tmp: Path) -> str:
    # Ansible's fastest settings for a one-shot read: pipelining sends the
    # module over the one SSH session, and a fixed interpreter skips the
    # discovery round trip.  With one session per host there is nothing
    # for a ControlMaster to share, and a persistent master would outlive
    # the run.
    return (
        "[defaults]\n"
        f"inventory = {inventory}\n"
        "forks = 64\n"
        "host_key_checking = True\n"
        "interpreter_python = /usr/bin/python3\n"
        "retry_files_enabled = False\n"
        f"local_tmp = {local_tmp}\n"
        "\n[ssh_connection]\n"
        f"ssh_args = -F {ssh_config} -o ControlMaster=no\n"
        "pipelining = True\n"
    )


def reference_files(hosts: list[str]) -> tuple[bytes, bytes]:
    """Return the global and shadow file every working host serves."""
    reference = (REFERENCE / "global_config.ini").read_text(encoding="utf-8")
    shadow = (REFERENCE / "shadow_config.ini").read_bytes()
    return render_config(reference, hosts).encode(), shadow


def prepare(
    root: Path,
    hosts: list[str],
    ssh_config: Path,
    login: str,
    connect_timeout: float,
) -> Workspace:
    """Write the config, inventory and ansible.cfg for ``hosts`` under ``root``.

    The config and its shadow file are the ones :func:`reference_files`
    returns, so a fleet serving those shows no drift.
    """
    root.mkdir(parents=True, exist_ok=True)
    home = root / "home"
    home.mkdir(exist_ok=True)
    global_bytes, shadow_bytes = reference_files(hosts)
    config = root / "global_config.ini"
    config.write_bytes(global_bytes)
    (root / "shadow_config.ini").write_bytes(shadow_bytes)
    inventory = root / "inventory.ini"
    inventory.write_text("[fleet]\n" + "\n".join(hosts) + "\n", encoding="utf-8")
    ansible_cfg = root / "ansible.cfg"
    ansible_cfg.write_text(
        _ansible_cfg(inventory, ssh_config, root / "ansible-tmp"), encoding="utf-8"
    )
    return Workspace(
        root=root,
        hosts=tuple(hosts),
        ssh_config=ssh_config,
        config=config,
        ansible_cfg=ansible_cfg,
        inventory=inventory,
        home=home,
        connect_timeout=connect_timeout,
        login=login,
    )
