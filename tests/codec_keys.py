"""The fixed key ring every test's Temporal client, worker and Replayer encrypts with.

Tests' payloads are encrypted exactly as production's, reproducibly. The committed replay
histories were recorded before encryption: the codec passes their plain payloads through.
"""

from __future__ import annotations

from runtime.crypto.converter import encrypting_converter
from runtime.crypto.keyring import DataKey, StaticKeyRing

TEST_KEYS = StaticKeyRing([DataKey("test-key-1", bytes(range(32)))])
TEST_CONVERTER = encrypting_converter(TEST_KEYS)
