"""The development key ring: ``<data_dir>/codec-keys.json``, owner-only (0600).

Created with one key on the first ``ccm dev`` / ``ccm demo``; ``ccm keys rotate`` adds a key and
makes it current, keeping the old ones so payloads sealed before still open. The ring re-reads the
file when it changes, so a running worker follows a rotation without a restart (within a second).
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from runtime.crypto.keyring import (
    KEY_BYTES,
    DataKey,
    KeyInfo,
    KeyRingError,
    StaticKeyRing,
    UnknownKey,
)

KEY_FILE = "codec-keys.json"


class StoredKey(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    created_at: datetime
    secret: str  # base64 of 32 random bytes


class KeyFile(BaseModel):
    """The file's content; ``keys`` oldest first, ``current`` one of their ids."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    current: str
    keys: list[StoredKey]

    def ring(self) -> StaticKeyRing:
        try:
            by_id = {k.id: DataKey(k.id, _secret(k.secret), k.created_at) for k in self.keys}
        except binascii.Error:
            raise KeyRingError("a key's secret is not valid base64") from None
        if self.current not in by_id:
            raise KeyRingError(f"current key {self.current!r} is not among the file's keys")
        current = by_id.pop(self.current)
        return StaticKeyRing([current, *reversed(by_id.values())])


def _secret(encoded: str) -> bytes:
    return base64.b64decode(encoded, validate=True)


def new_key(now: datetime | None = None) -> StoredKey:
    """A fresh random key; its id says when it was made, never anything about its secret."""
    created = now or datetime.now(UTC)
    key_id = f"k{created:%Y%m%d}-{secrets.token_hex(3)}"
    return StoredKey(
        id=key_id, created_at=created, secret=base64.b64encode(os.urandom(KEY_BYTES)).decode()
    )


def read_key_file(path: Path) -> KeyFile:
    """The parsed file; raises ``KeyRingError`` naming the path when missing or malformed."""
    try:
        return KeyFile.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise KeyRingError(f"no key file {path}: run `ccm keys rotate` or `ccm dev` once") from None
    except ValidationError as exc:
        raise KeyRingError(f"key file {path} is malformed ({exc.error_count()} errors)") from None


def create_key_file(path: Path) -> bool:
    """Writes a file with one key unless one exists; True if this call created it."""
    first = new_key()
    content = KeyFile(current=first.id, keys=[first])
    return _write(path, content, replace=False)


def rotate_key_file(path: Path) -> StoredKey:
    """Adds a new current key to the file (created if missing); returns it."""
    key = new_key()
    try:
        old = read_key_file(path).keys
    except KeyRingError:
        if path.exists():
            raise
        old = []
    _write(path, KeyFile(current=key.id, keys=[*old, key]), replace=True)
    return key


def _write(path: Path, content: KeyFile, *, replace: bool) -> bool:
    """Writes through a 0600 temporary file; without ``replace`` never clobbers an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(content.model_dump_json(indent=2) + "\n")
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)  # atomic and refuses an existing file: two first starts agree
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """Changes whenever the file is replaced (a rotation writes a new inode)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class FileKeyRing:
    """The key file as a ``KeyRing``: a rotation reaches a running process within ``recheck_s``.

    Every payload a worker seals asks for the current key, and every one it opens for a key by
    id; checking the file on each call was a ``stat`` per payload, about 3% of the worker
    process's samples on the workflow path (bench/workflow_path.py, py-spy). So the current key
    is re-checked at most every ``recheck_s`` (sealing with the old key a moment longer is
    harmless: old keys stay in the file), and a key by id only when its id is not in the ring
    read last (an id's secret never changes: a rotation only adds keys).
    """

    def __init__(
        self, path: Path, *, recheck_s: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.path = path
        self._recheck_s, self._clock = recheck_s, clock
        self._stamp: tuple[int, int, int] | None = None
        self._ring = self._load()
        self._checked = clock()

    def _load(self) -> StaticKeyRing:
        stamp = _stamp(self.path)
        ring = read_key_file(self.path).ring()
        self._stamp = stamp
        return ring

    def _fresh(self) -> StaticKeyRing:
        self._checked = self._clock()
        stamp = _stamp(self.path)
        if stamp is not None and stamp != self._stamp:  # a vanished file: keep the keys read
            self._ring = self._load()
        return self._ring

    def _recent(self) -> StaticKeyRing:
        if self._clock() - self._checked >= self._recheck_s:
            return self._fresh()
        return self._ring

    async def current(self) -> DataKey:
        return await self._recent().current()

    async def get(self, key_id: str) -> DataKey:
        try:
            return await self._ring.get(key_id)
        except UnknownKey:  # perhaps added since: a rotation in another process
            return await self._fresh().get(key_id)

    async def describe(self) -> list[KeyInfo]:
        return await self._fresh().describe()
