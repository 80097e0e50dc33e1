"""Where checkpoints and public keys are kept: write-once storage outside the database.

``AnchorSink`` is the whole contract: ``put`` stores a new object and refuses a name already
stored, nothing is ever replaced or deleted, ``names``/``get`` read them back. That is what an
object store with a retention lock gives (S3 Object Lock in compliance mode with
``If-None-Match: *`` on put, or a WORM volume), so a sink for one can hold checkpoints that a
writer of the database, or of this host, cannot rewrite. ``FilesystemSink`` is a directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol


class AlreadyStored(FileExistsError):
    """An object of that name exists: checkpoints are never overwritten."""


class AnchorSink(Protocol):
    """Write-once storage of named objects (checkpoints ``*.json``, public keys ``*.pub``)."""

    def put(self, name: str, data: bytes) -> str:
        """Stores ``data`` under a new ``name``; returns where; raises ``AlreadyStored``."""
        ...

    def get(self, name: str) -> bytes | None:
        """The object's bytes, or None when there is none of that name."""
        ...

    def names(self) -> list[str]:
        """Every stored name, sorted."""
        ...


class FilesystemSink:
    """A directory (created 0700); each object is written whole under a temporary name, synced,
    then hard-linked to its name, so a reader never sees half a file and a name is taken once.
    ``only`` limits ``names`` to one file (verifying a single checkpoint)."""

    def __init__(self, root: Path, only: str | None = None) -> None:
        self.root = root
        self.only = only

    def put(self, name: str, data: bytes) -> str:
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        final = self.root / name
        temp = self.root / f".tmp-{os.getpid()}-{name}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(temp, final)
            except FileExistsError:
                raise AlreadyStored(f"{final} exists: checkpoints are never overwritten") from None
        finally:
            temp.unlink(missing_ok=True)
        self._sync_dir()
        return str(final)

    def get(self, name: str) -> bytes | None:
        try:
            return (self.root / name).read_bytes()
        except FileNotFoundError:
            return None

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        if self.only is not None:
            return [self.only] if (self.root / self.only).is_file() else []
        return sorted(p.name for p in self.root.iterdir() if not p.name.startswith("."))

    def _sync_dir(self) -> None:
        fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
