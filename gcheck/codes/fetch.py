"""Finding codes for reaching hosts and fetching their copies (``H``).

H1xx: the network and the SSH transport.  H2xx: host keys.  H3xx: login.
H4xx: the files.  H5xx: the run as a whole.
"""

from gcheck.findings import CodeInfo, Severity

_E = Severity.ERROR

_SLOW_LOGIN_HINT = (
    "Look at what sshd does during login on that host: account lookups "
    "through LDAP or another PAM or NSS module, GSSAPI, or reverse DNS of "
    "the client (UseDNS).  A local account that holds the scheduler's key "
    "avoids them."
)

CODES: list[CodeInfo] = [
    CodeInfo(
        "H101",
        "Host name not resolvable",
        _E,
        "The name (or its ssh_config HostName) does not resolve to an address, "
        "so the scheduler cannot reach the host either.",
        hint="Fix the name in the config or in DNS.",
    ),
    CodeInfo(
        "H102",
        "Connection refused",
        _E,
        "The host answered, but nothing listens on the SSH port.",
        hint="Start sshd on the host, or fix Port in ssh_config.",
    ),
    CodeInfo(
        "H103",
        "Connect timed out",
        _E,
        "The TCP connection was not established within the connect timeout.",
        hint="Check that the host is up and that no firewall drops packets "
        "to its SSH port.",
    ),
    CodeInfo(
        "H104",
        "Connection closed before the SSH banner",
        _E,
        "sshd accepted the connection and closed it before sending its "
        "version banner.  This is how sshd drops connections beyond its "
        "MaxStartups limit, which happens when many transfers start at once.",
        hint="Raise MaxStartups in the host's sshd_config, lower the load on "
        "the host, or fetch with fewer workers (--workers).",
    ),
    CodeInfo(
        "H105",
        "SSH banner never sent",
        _E,
        "The connection was accepted but no SSH version banner arrived "
        "within the connect timeout: the server hangs, or something other "
        "than sshd listens on the port.",
        hint="Check sshd on the host (load, a hung process), and what listens "
        "on the port.",
    ),
    CodeInfo(
        "H106",
        "Key exchange or protocol failure",
        _E,
        "The SSH handshake failed after the banner: no common algorithm, a "
        "malformed reply, or the server stopped answering during key exchange.",
        hint="Compare the server's KexAlgorithms, Ciphers and HostKeyAlgorithms "
        "with what the client supports; run gcheck --debug for details.",
    ),
    CodeInfo(
        "H107",
        "Connection failed",
        _E,
        "A network error other than the ones above: the network or host is "
        "unreachable, or the connection was reset after it was established.",
        hint="Check routing to the host and that its SSH server stays up.",
    ),
    CodeInfo(
        "H108",
        "Host name invalid: not contacted",
        _E,
        "The host's name, or the HostName ssh_config gives it, is not a valid "
        "host name or IP address, so gcheck did not contact the host.  Such a "
        "name never goes into a ProxyCommand or a shell, because characters "
        "such as '$', '(' or a space would run as shell syntax there.  "
        "Validation reports the same name as V209.",
        example="drones: drone01,drone02,",
        hint="Fix the name in the config: letters, digits, '-', '_' and '.' "
        "only, or an IP address.  A trailing comma in 'drones' makes a host "
        "with an empty name.",
    ),
    CodeInfo(
        "H109",
        "Local file descriptor limit reached",
        _E,
        "gcheck itself ran out of file descriptors (EMFILE or ENFILE) while "
        "fetching this host, so the host was not checked.  The host is not "
        "at fault.",
        hint="Fetch with fewer workers (--workers), or raise the open-file "
        "limit with 'ulimit -n'.",
    ),
    CodeInfo(
        "H201",
        "Host key unknown",
        _E,
        "No key for this host is in known_hosts, so gcheck did not connect. "
        "Autotest's own ssh calls skip host key checking, so this is only "
        "gcheck's safeguard.",
        hint="Verify the host's key fingerprint and add it (ssh-keyscan, or "
        "run gcheck with --accept-new-host-keys to record it).",
    ),
    CodeInfo(
        "H202",
        "Host key changed",
        _E,
        "The host sent a key that differs from the one known_hosts holds "
        "for it.  The host was reinstalled, or someone is intercepting the "
        "connection.  gcheck never connects in this case.",
        hint="Find out why the key changed; once it is trusted, remove the old "
        "entry with 'ssh-keygen -R HOST'.",
    ),
    CodeInfo(
        "H203",
        "Host key known only under another key type",
        _E,
        "known_hosts holds keys for this host, but none of the type the "
        "server offered, so the offered key cannot be verified.",
        hint="Add the host's key of the offered type to known_hosts after "
        "verifying it (ssh-keyscan -t TYPE HOST).",
    ),
    CodeInfo(
        "H204",
        "Host key not recorded",
        _E,
        "The host's key is new and --accept-new-host-keys was given, but "
        "writing it to the first known_hosts file failed, so gcheck did not "
        "log in.  The message names the file and the error.",
        hint="Make the known_hosts file and its folder writable by the user "
        "running gcheck, or point UserKnownHostsFile in ssh_config at a "
        "writable file.",
    ),
    CodeInfo(
        "H205",
        "Host key revoked",
        _E,
        "The host sent a key that a known_hosts line marks '@revoked', so "
        "gcheck did not log in, even with --accept-new-host-keys.  A key is "
        "revoked when it leaked or its host was retired, so the server is "
        "either still using a compromised key or is not the host it claims "
        "to be.",
        hint="Give the host a new key and put its fingerprint in known_hosts; "
        "keep the '@revoked' line so the old key stays rejected.",
    ),
    CodeInfo(
        "H301",
        "Authentication failed",
        _E,
        "The server rejected the login with every key tried.  The scheduler "
        "logs in with keys or an agent only (BatchMode), never a password.",
        hint="Install the scheduler's public key for that user on the host, or "
        "fix HOST_username in the config.",
    ),
    CodeInfo(
        "H302",
        "Key needs a passphrase",
        _E,
        "A key that could log in is encrypted and no agent holds it; in batch "
        "mode nothing can ask for the passphrase.",
        hint="Load the key into ssh-agent (ssh-add) before running, or give "
        "the scheduler a key without a passphrase.",
    ),
    CodeInfo(
        "H303",
        "Authentication timed out",
        _E,
        "The server did not finish the login within the authentication timeout.",
        hint=_SLOW_LOGIN_HINT,
    ),
    CodeInfo(
        "H304",
        "Slow authentication",
        Severity.WARNING,
        "The login succeeded but took longer than the slow-authentication "
        "threshold.  The scheduler logs in to drones all the time, so a slow "
        "login slows every scheduler tick.",
        hint=_SLOW_LOGIN_HINT,
    ),
    CodeInfo(
        "H401",
        "global_config.ini missing",
        _E,
        "The host has no global_config.ini at the path its role implies, so "
        "Autotest on that host cannot start.  A missing shadow_config.ini "
        "is normal and not reported.",
        hint="Check drone_installation_directory (or "
        "results_host_installation_directory) and the installation on the host.",
    ),
    CodeInfo(
        "H402",
        "Permission denied on the file",
        _E,
        "The login user may not read the file.",
        hint="Make the file readable by the scheduler's login user on the host.",
    ),
    CodeInfo(
        "H403",
        "No SFTP and no shell",
        _E,
        "The server has no SFTP subsystem and running 'cat' over an exec "
        "channel failed too, so the file could not be read.",
        hint="Enable 'Subsystem sftp' in the host's sshd_config, or give the "
        "login user a shell.",
    ),
    CodeInfo(
        "H404",
        "File too large",
        _E,
        "The file is larger than the size limit, so gcheck did not read it.",
        hint="Check what the file contains: a global_config.ini is normally "
        "a few kilobytes, and the limit is 1 MiB.",
    ),
    CodeInfo(
        "H405",
        "Installation directory not configured",
        _E,
        "drone_installation_directory is missing or blank, so the path of "
        "the host's copy is unknown.  Autotest's scheduler stops at start-up "
        "without it.",
        hint="Set drone_installation_directory in [SCHEDULER].",
    ),
    CodeInfo(
        "H406",
        "Transfer timed out",
        _E,
        "The server stopped answering after the login, while the file was being read.",
        hint="Check the host's load and its sshd (ForceCommand, a hung SFTP server).",
    ),
    CodeInfo(
        "H407",
        "File could not be read",
        _E,
        "Reading the file failed for another reason (it is a folder, or the "
        "server reported an I/O error).",
        hint="Check the path on the host.",
    ),
    CodeInfo(
        "H501",
        "Deadline reached",
        _E,
        "The run's deadline passed before this host finished, so its result "
        "is unknown.",
        hint="Raise --deadline, or look at why this host is slow (its phase "
        "timings show where the time went).",
    ),
]
