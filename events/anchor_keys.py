"""The Ed25519 key pair that signs checkpoints: the private key never enters the database.

The private key is a PEM (PKCS#8) file readable by its owner only: ``CCM_ANCHOR_KEY_FILE`` in a
deployment (made with ``ccm audit keygen FILE``, or ``openssl genpkey -algorithm ed25519``, on the
host that anchors, never the database host), else ``$CCM_DATA_DIR/secrets/anchor-ed25519.pem``,
created on first use for development. The public key is stored beside the checkpoints under its
key id (``anchor-key-<id>.pub``), so anyone can verify and a new key never replaces an old one.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from events.anchor_sink import AlreadyStored, AnchorSink

KEY_FILE_ENV = "CCM_ANCHOR_KEY_FILE"


class AnchorKeyError(ValueError):
    """A key file is missing, unreadable, too widely readable or not an Ed25519 key."""


def default_key_file(data_dir: Path) -> Path:
    return data_dir / "secrets" / "anchor-ed25519.pem"


def key_id(public: Ed25519PublicKey) -> str:
    """The first 128 bits of the raw public key's SHA-256, in hex: names the key, never secret."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:32]


def public_key_name(kid: str) -> str:
    return f"anchor-key-{kid}.pub"


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def create_key_file(path: Path) -> Ed25519PrivateKey:
    """Writes a new private key, owner-only (0600, in a 0700 directory it creates); never
    replaces an existing file."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise AnchorKeyError(f"{path} already exists: a key is never replaced") from None
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
        out.flush()
        os.fsync(out.fileno())
    return key


def load_private_key(path: Path, label: str) -> Ed25519PrivateKey:
    """Reads the signing key; ``label`` (the env var or flag) names it in every error."""
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError:
        raise AnchorKeyError(f"{label}: no key file at {path}") from None
    except OSError as exc:
        raise AnchorKeyError(f"{label}: cannot read {path}: {exc.strerror}") from None
    if stat.S_IMODE(mode) & 0o077:
        raise AnchorKeyError(
            f"{label}: {path} is readable by others (mode {stat.S_IMODE(mode):04o}); chmod 600 it"
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise AnchorKeyError(f"{label}: {path} is not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise AnchorKeyError(f"{label}: {path} is not an Ed25519 key")
    return key


def load_public_key(data: bytes, label: str) -> Ed25519PublicKey:
    """Parses a PEM public key; raises ``AnchorKeyError`` naming ``label``."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise AnchorKeyError(f"{label} is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise AnchorKeyError(f"{label} is not an Ed25519 public key")
    return key


def signing_key(env: dict[str, str], data_dir: Path) -> tuple[Ed25519PrivateKey, Path, bool]:
    """The key ``ccm audit anchor`` signs with, its file, and whether it was just created (only
    the development default is ever created; a configured file must exist)."""
    configured = env.get(KEY_FILE_ENV)
    if configured:
        path = Path(configured)
        return load_private_key(path, KEY_FILE_ENV), path, False
    path = default_key_file(data_dir)
    if not path.exists():
        return create_key_file(path), path, True
    return load_private_key(path, "anchor key"), path, False


def store_public_key(sink: AnchorSink, public: Ed25519PublicKey) -> None:
    """Stores the public key beside the checkpoints under its id, once; refuses a different key
    already stored under that name."""
    name, pem = public_key_name(key_id(public)), public_pem(public)
    stored = sink.get(name)
    if stored is None:
        try:
            sink.put(name, pem)
            return
        except AlreadyStored:
            stored = sink.get(name)
    if stored != pem:
        raise AnchorKeyError(f"{name} beside the checkpoints holds another key")
