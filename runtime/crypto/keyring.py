"""The key ring interface and the static ring built from ``CCM_CODEC_KEYS``.

A ring has one current key (new payloads are sealed with it) and may hold older ones, which still
open payloads sealed before a rotation. Methods are async so a ring backed by a KMS (unwrapping
data keys over the network, caching them) fits the same interface.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

KEY_BYTES = 32  # AES-256
KEY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class KeyRingError(ValueError):
    """The ring cannot serve a key; the message names the key id or the setting, never a key."""


class UnknownKey(KeyRingError):
    """A payload names a key id the ring does not hold."""


@dataclass(frozen=True)
class DataKey:
    """One AES-256 key and the id payloads carry in their metadata."""

    id: str
    secret: bytes = field(repr=False)
    created_at: datetime | None = None


@dataclass(frozen=True)
class KeyInfo:
    """What ``ccm keys list`` may show of a key: never its secret."""

    id: str
    created_at: datetime | None
    current: bool


class KeyRing(Protocol):
    """Where the codec gets its keys."""

    async def current(self) -> DataKey:
        """The key new payloads are encrypted with."""
        ...

    async def get(self, key_id: str) -> DataKey:
        """The key named ``key_id``; raises ``UnknownKey``."""
        ...

    async def describe(self) -> list[KeyInfo]:
        """Every key's id and creation time, current first."""
        ...


class StaticKeyRing:
    """A fixed set of keys; the first is current."""

    def __init__(self, keys: list[DataKey]) -> None:
        if not keys:
            raise KeyRingError("a key ring needs at least one key")
        for key in keys:
            check_key(key)
        ids = [key.id for key in keys]
        if len(set(ids)) != len(ids):
            raise KeyRingError(f"duplicate key id in {', '.join(ids)}")
        self._keys = {key.id: key for key in keys}
        self._current = keys[0]

    async def current(self) -> DataKey:
        return self._current

    async def get(self, key_id: str) -> DataKey:
        try:
            return self._keys[key_id]
        except KeyError:
            raise UnknownKey(f"no key {key_id!r} in the key ring") from None

    async def describe(self) -> list[KeyInfo]:
        return [KeyInfo(k.id, k.created_at, k.id == self._current.id) for k in self._keys.values()]


class NoKeyRing:
    """A ring with no keys: a client built with it can make control calls (describe, list,
    search attributes) but refuses to put any payload into Temporal, so nothing leaks in clear."""

    async def current(self) -> DataKey:
        raise KeyRingError("this client has no key ring: it cannot send payloads")

    async def get(self, key_id: str) -> DataKey:
        raise UnknownKey(f"no key {key_id!r}: this client has no key ring")

    async def describe(self) -> list[KeyInfo]:
        return []


def check_key(key: DataKey) -> None:
    """Raises ``KeyRingError`` unless ``key`` has a usable id and a 32-byte secret."""
    if not KEY_ID.match(key.id):
        raise KeyRingError(f"key id {key.id!r}: letters, digits, '.', '_', '-', at most 64")
    if len(key.secret) != KEY_BYTES:
        raise KeyRingError(f"key {key.id!r}: must be {KEY_BYTES} bytes, got {len(key.secret)}")


def parse_keys(spec: str, source: str = "CCM_CODEC_KEYS") -> StaticKeyRing:
    """A ring from ``id=base64key,id=base64key``, the first current (``source`` names the
    setting in errors)."""
    keys = []
    for n, item in enumerate((part.strip() for part in spec.split(",")), start=1):
        key_id, sep, encoded = item.partition("=")
        if not sep or not key_id:
            raise KeyRingError(f"{source}: entry {n} is not id=base64key")
        try:
            secret = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise KeyRingError(f"{source}: key {key_id!r} is not valid base64") from None
        keys.append(DataKey(key_id.strip(), secret))
    try:
        return StaticKeyRing(keys)
    except KeyRingError as exc:
        raise KeyRingError(f"{source}: {exc}") from None
