"""The Temporal payload codec: AES-256-GCM, each payload naming the key that sealed it.

An encrypted payload is ``nonce (12 bytes) || ciphertext+tag`` of the whole serialised original
payload (its metadata included, so even the encoding is hidden), with metadata
``encoding: binary/encrypted`` and ``encryption-key-id``. The key id is bound as associated data:
a payload relabelled with another key id fails to open instead of decrypting under it.

Decoding passes through payloads without that encoding: histories recorded before encryption
(the committed replay histories) still replay. A worker therefore also accepts a plaintext
payload someone with write access to Temporal injected; that actor could do worse anyway.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from runtime.crypto.keyring import DataKey, KeyRing, KeyRingError

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12
AAD_PREFIX = b"ccm-engine/payload/v1:"


class PayloadTampered(KeyRingError):
    """A payload failed authentication: wrong key, altered bytes or a relabelled key id."""


class EncryptionCodec(PayloadCodec):
    """Seals every payload with the ring's current key; opens with whichever key it names."""

    def __init__(self, ring: KeyRing) -> None:
        super().__init__()
        self.ring = ring
        self._ciphers: dict[tuple[str, bytes], AESGCM] = {}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        if not payloads:
            return []
        key = await self.ring.current()
        return [self._seal(key, p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        opened = []
        for p in payloads:
            if p.metadata.get("encoding") != ENCODING:
                opened.append(p)
                continue
            key = await self.ring.get(p.metadata.get(KEY_ID, b"").decode(errors="replace"))
            opened.append(self._open(key, p))
        return opened

    def _cipher(self, key: DataKey) -> AESGCM:
        cached = self._ciphers.get((key.id, key.secret))
        if cached is None:
            cached = self._ciphers[(key.id, key.secret)] = AESGCM(key.secret)
        return cached

    def _seal(self, key: DataKey, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._cipher(key).encrypt(nonce, payload.SerializeToString(), _aad(key.id))
        return Payload(
            metadata={"encoding": ENCODING, KEY_ID: key.id.encode()}, data=nonce + sealed
        )

    def _open(self, key: DataKey, payload: Payload) -> Payload:
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            plain = self._cipher(key).decrypt(nonce, sealed, _aad(key.id))
        except InvalidTag:
            raise PayloadTampered(f"a payload sealed with key {key.id!r} failed to open") from None
        return Payload.FromString(plain)


def _aad(key_id: str) -> bytes:
    return AAD_PREFIX + key_id.encode()
