"""The codec server's access token: ``CCM_CODEC_TOKEN``, else ``<data_dir>/codec-token`` (0600).

Whoever holds it can decrypt payloads through the codec server, so in development it lives in a
file only the data dir's owner can read, made on the first ``ccm dev`` / ``ccm codec-server``.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from runtime.crypto.converter import NoKeys
from runtime.settings import Settings

TOKEN_FILE = "codec-token"
MIN_TOKEN_CHARS = 24


def load_token(settings: Settings, *, create: bool = False) -> str:
    """The token, from the environment or the data dir (written first when ``create``)."""
    if settings.codec_token is not None:
        token = settings.codec_token.get_secret_value().strip()
        if len(token) < MIN_TOKEN_CHARS:
            raise NoKeys(
                f"CCM_CODEC_TOKEN: at least {MIN_TOKEN_CHARS} characters, got {len(token)}"
            )
        return token
    path = settings.data_dir / TOKEN_FILE
    if create and not path.exists():
        _write_token(path, secrets.token_urlsafe(32))
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        raise NoKeys(f"no codec token: set CCM_CODEC_TOKEN or run `ccm dev` ({path})") from None


def same_token(given: str | None, expected: str) -> bool:
    """Constant-time comparison, so response timing reveals nothing about the token."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _write_token(path: Path, token: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(token + "\n")
    try:
        os.link(tmp, path)  # never clobbers a token another process wrote first
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
