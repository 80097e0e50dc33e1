"""The embedded server's role passwords: generated once, kept owner-only, never printed.

``<data_dir>/secrets/postgres.json`` (directory 0700, file 0600) holds one random password per
login role. Every process of the same OS user on the same data dir reads it to connect; nothing
else holds a password (``services.json`` and ``ccm dev``'s output carry URLs without them).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

SECRETS_DIR = "secrets"
SECRETS_FILE = "postgres.json"
# PostgreSQL's default for the verifiers it computes itself (scram_iterations).
SCRAM_ITERATIONS = 4096


class SecretsUnreadable(RuntimeError):
    """The passwords file exists but is not what this module wrote."""


def secrets_path(data_dir: Path) -> Path:
    return data_dir / SECRETS_DIR / SECRETS_FILE


def load_or_create(data_dir: Path, roles: list[str]) -> dict[str, str]:
    """Each role's password, generating the file on first use (concurrent callers agree)."""
    path = secrets_path(data_dir)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    if not path.exists():
        _create_private(path, {role: secrets.token_urlsafe(32) for role in roles})
    passwords = read(path)
    missing = sorted(set(roles) - set(passwords))
    if missing:
        raise SecretsUnreadable(f"{path} has no password for {', '.join(missing)}")
    return passwords


def read(path: Path) -> dict[str, str]:
    """The passwords in ``path``; ``SecretsUnreadable`` when it is not a flat JSON object."""
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise SecretsUnreadable(f"cannot read {path}: {exc}") from None
    if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
        raise SecretsUnreadable(f"{path} is not a JSON object of role passwords")
    return {str(k): v for k, v in loaded.items()}


def _create_private(path: Path, passwords: dict[str, str]) -> None:
    """Writes a 0600 temporary file and links it into place: the first writer wins."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(passwords, out, indent=2)
        out.flush()
        os.fsync(out.fileno())
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass  # another process created it first: its passwords are the ones in use
    finally:
        tmp.unlink(missing_ok=True)


def scram_verifier(password: str, *, salt: bytes | None = None) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password`` (RFC 5802, RFC 7677).

    Setting a role's password as its verifier keeps the password itself out of the server's
    statement log and out of ``pg_stat_activity``.
    """
    salt = os.urandom(16) if salt is None else salt
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, SCRAM_ITERATIONS)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    b64 = base64.b64encode
    return (
        f"SCRAM-SHA-256${SCRAM_ITERATIONS}:{b64(salt).decode()}"
        f"${b64(stored_key).decode()}:{b64(server_key).decode()}"
    )
