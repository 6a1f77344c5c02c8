"""Ed25519 key pairs for the demo fleet, in OpenSSH's file formats.

Generating an Ed25519 key takes about a millisecond (measured with the
cryptography package 48 on a 2-core VM), so every demo run makes fresh
host keys and a fresh client key instead of shipping any.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


@dataclass(frozen=True)
class KeyPair:
    """A private key as Paramiko uses it and as OpenSSH stores it."""

    key: paramiko.Ed25519Key
    # OpenSSH's private key format, because Paramiko 5 cannot write
    # Ed25519 keys itself.
    openssh_private: bytes

    def public_line(self, comment: str = "") -> str:
        """Return the public half as one ``type base64 [comment]`` line."""
        line = f"{self.key.get_name()} {self.key.get_base64()}"
        return f"{line} {comment}" if comment else line

    def write_private(self, path: Path) -> None:
        """Write the private key to a new file readable by its owner only.

        OpenSSH's ``ssh`` rejects a private key file that others can read,
        so the file is created with mode 0600, never chmod-ed afterwards.
        """
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(self.openssh_private)


def generate() -> KeyPair:
    """Return a new Ed25519 key pair."""
    private = Ed25519PrivateKey.generate().private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.OpenSSH,
        encryption_algorithm=serialization.NoEncryption(),
    )
    key = paramiko.Ed25519Key(file_obj=io.StringIO(private.decode("ascii")))
    return KeyPair(key, private)
