"""The project's one data converter and where its key ring comes from.

Pydantic converts values to payloads; the codec encrypts them; failures keep their message and
stack trace in encoded (so encrypted) attributes, since Temporal stores a failure's message in
clear otherwise. Clients, workers, test environments and the Replayer must all use it.
"""

from __future__ import annotations

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes

from runtime.crypto.codec import EncryptionCodec
from runtime.crypto.keyfile import KEY_FILE, FileKeyRing, create_key_file
from runtime.crypto.keyring import KeyRing, KeyRingError, parse_keys
from runtime.errors import CannotRun
from runtime.settings import Settings


class NoKeys(CannotRun):
    """No key ring is configured, or the configured one is unusable."""


def encrypting_converter(ring: KeyRing) -> DataConverter:
    """The pydantic payload converter with payloads and failure attributes encrypted by ``ring``."""
    return DataConverter(
        payload_converter_class=pydantic_data_converter.payload_converter_class,
        payload_codec=EncryptionCodec(ring),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


def load_key_ring(settings: Settings, *, create: bool = False) -> KeyRing:
    """``CCM_CODEC_KEYS`` if set, else ``<data_dir>/codec-keys.json`` (created when ``create``).

    Raises ``NoKeys`` saying what to set when neither gives a usable ring.
    """
    try:
        if settings.codec_keys is not None:
            return parse_keys(settings.codec_keys.get_secret_value())
    except KeyRingError as exc:
        raise NoKeys(f"payload encryption: {exc}") from None
    path = settings.data_dir / KEY_FILE
    try:
        if create:
            create_key_file(path)
        return FileKeyRing(path)
    except KeyRingError as exc:
        raise NoKeys(f"payload encryption: {exc}, or set CCM_CODEC_KEYS") from None
