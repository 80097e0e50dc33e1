"""The payload codec: AES-256-GCM per payload, the key named in metadata and bound to the
ciphertext, old keys still opening, plain payloads passed through, failures encrypted too."""

from __future__ import annotations

import pytest
from pydantic import BaseModel
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.exceptions import ApplicationError

from runtime.crypto.codec import ENCODING, KEY_ID, EncryptionCodec, PayloadTampered
from runtime.crypto.converter import encrypting_converter
from runtime.crypto.keyring import DataKey, KeyRingError, NoKeyRing, StaticKeyRing, UnknownKey

OLD = DataKey("k-old", b"\x01" * 32)
NEW = DataKey("k-new", b"\x02" * 32)
PHI = b'{"name": "Synth-Ada Quill", "mbi": "0SYNTH00001", "birth_date": "1941-02-03"}'


def plain(data: bytes = PHI) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=data)


async def test_a_payload_is_sealed_under_the_current_key_and_opens_to_the_original() -> None:
    codec = EncryptionCodec(StaticKeyRing([NEW, OLD]))
    [sealed] = await codec.encode([plain()])
    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata[KEY_ID] == b"k-new"
    assert b"Synth-" not in sealed.data and b"json/plain" not in sealed.SerializeToString()
    assert await codec.decode([sealed]) == [plain()]


async def test_two_seals_of_one_payload_differ_so_equal_inputs_are_not_recognisable() -> None:
    codec = EncryptionCodec(StaticKeyRing([NEW]))
    first, second = await codec.encode([plain(), plain()])
    assert first.data != second.data


async def test_after_a_rotation_payloads_sealed_with_the_old_key_still_open() -> None:
    [old_sealed] = await EncryptionCodec(StaticKeyRing([OLD])).encode([plain()])
    rotated = EncryptionCodec(StaticKeyRing([NEW, OLD]))
    assert await rotated.decode([old_sealed]) == [plain()]
    [new_sealed] = await rotated.encode([plain()])
    assert new_sealed.metadata[KEY_ID] == b"k-new"


async def test_a_key_the_ring_does_not_hold_is_named_in_the_error() -> None:
    [sealed] = await EncryptionCodec(StaticKeyRing([OLD])).encode([plain()])
    with pytest.raises(UnknownKey, match="k-old"):
        await EncryptionCodec(StaticKeyRing([NEW])).decode([sealed])


async def test_a_relabelled_key_id_or_an_altered_byte_fails_to_open() -> None:
    codec = EncryptionCodec(StaticKeyRing([NEW, OLD]))
    [sealed] = await codec.encode([plain()])
    relabelled = Payload(metadata={**sealed.metadata, KEY_ID: b"k-old"}, data=sealed.data)
    with pytest.raises(PayloadTampered):
        await codec.decode([relabelled])
    flipped = bytes([sealed.data[-1] ^ 1])
    altered = Payload(metadata=sealed.metadata, data=sealed.data[:-1] + flipped)
    with pytest.raises(PayloadTampered):
        await codec.decode([altered])


async def test_plain_payloads_pass_through_decode_so_old_histories_replay() -> None:
    codec = EncryptionCodec(StaticKeyRing([NEW]))
    assert await codec.decode([plain()]) == [plain()]


async def test_a_client_without_keys_refuses_to_send_a_payload() -> None:
    with pytest.raises(KeyRingError, match="no key ring"):
        await EncryptionCodec(NoKeyRing()).encode([plain()])


class Demographics(BaseModel):
    name: str
    mbi: str


async def test_the_converter_keeps_pydantic_values_and_encrypts_them() -> None:
    converter = encrypting_converter(StaticKeyRing([NEW]))
    value = Demographics(name="Synth-Ada Quill", mbi="0SYNTH00001")
    [payload] = await converter.encode([value])
    assert b"0SYNTH" not in payload.SerializeToString()
    assert await converter.decode([payload], [Demographics]) == [value]


async def test_a_failure_message_travels_encrypted_and_decodes_back() -> None:
    converter = encrypting_converter(StaticKeyRing([NEW]))
    failure = Failure()
    await converter.encode_failure(ApplicationError("patient 0SYNTH00001 refused"), failure)
    assert b"0SYNTH" not in failure.SerializeToString()
    assert failure.message == "Encoded failure"
    decoded = await converter.decode_failure(failure)
    assert "0SYNTH00001" in str(decoded)
