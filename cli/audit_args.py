"""Where ``ccm audit`` reads and writes checkpoints, and the pinned key, from its arguments."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from events.anchor_keys import AnchorKeyError, load_public_key
from events.anchor_sink import FilesystemSink


class AuditArgError(ValueError):
    """A flag's value is unusable; the message names the flag."""


def default_anchors(data_dir: Path) -> Path:
    return data_dir / "anchors"


def anchor_target(out: str | None, data_dir: Path) -> tuple[FilesystemSink, str | None]:
    """The sink a new checkpoint goes to and its file name (None: named by its time)."""
    if out is None:
        return FilesystemSink(default_anchors(data_dir)), None
    path = Path(out)
    if path.suffix == ".json":
        if path.exists():
            raise AuditArgError(f"--out: {path} exists; a checkpoint is never overwritten")
        if not path.parent.is_dir():
            raise AuditArgError(f"--out: no directory {path.parent}")
        return FilesystemSink(path.parent), path.name
    if path.exists() and not path.is_dir():
        raise AuditArgError(f"--out: {path} is neither a directory nor a new FILE.json")
    return FilesystemSink(path), None


def anchor_source(anchors: str | None, data_dir: Path) -> tuple[FilesystemSink, bool]:
    """The sink checkpoints are read from, and whether the user named it (then it must exist)."""
    if anchors is None:
        return FilesystemSink(default_anchors(data_dir)), False
    path = Path(anchors)
    if path.is_dir():
        return FilesystemSink(path), True
    if path.is_file():
        return FilesystemSink(path.parent, only=path.name), True
    raise AuditArgError(f"--anchors: no such directory or file {path}")


def pinned_key(public_key: str | None) -> Ed25519PublicKey | None:
    """The key every checkpoint must be signed by, when ``--public-key`` names one."""
    if public_key is None:
        return None
    try:
        data = Path(public_key).read_bytes()
    except OSError as exc:
        raise AuditArgError(f"--public-key: cannot read {public_key}: {exc.strerror}") from None
    try:
        return load_public_key(data, f"--public-key {public_key}")
    except AnchorKeyError as exc:
        raise AuditArgError(str(exc)) from None
