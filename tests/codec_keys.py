"""The fixed key ring every test's Temporal client, worker and Replayer encrypts with.

Tests' payloads are encrypted exactly as production's, reproducibly. The committed replay
histories were recorded before encryption: the codec passes their plain payloads through.
"""

from __future__ import annotations

import base64

from runtime.crypto.converter import encrypting_converter
from runtime.crypto.keyring import DataKey, StaticKeyRing

TEST_KEY = bytes(range(32))
TEST_KEYS = StaticKeyRing([DataKey("test-key-1", TEST_KEY)])
# The same ring as a ``ccm`` subprocess reads it.
TEST_KEYS_ENV = {"CCM_CODEC_KEYS": "test-key-1=" + base64.b64encode(TEST_KEY).decode()}
TEST_CONVERTER = encrypting_converter(TEST_KEYS)
