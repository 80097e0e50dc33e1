"""The dedup lookup's input: keys and content digests computed in the workflow, never content."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from activities.store import LookupInput
from events.identity import Sent, digest_of, sent
from events.upstream import PatientIdentified
from upstream.synth import generate_feed

IDENTIFIED = [
    e for e in generate_feed(end=date(2026, 11, 27), patients=5) if isinstance(e, PatientIdentified)
]


def test_each_sent_event_is_its_key_and_its_own_content_digest() -> None:
    first, second = IDENTIFIED[:2]
    resent = first.model_copy(update={"qmb": not first.qmb})  # same key, other content
    batch = sent([first, second, resent])
    assert [s.key for s in batch] == [first.store_key, second.store_key, first.store_key]
    assert [bytes.fromhex(s.digest) for s in batch] == [
        digest_of(first), digest_of(second), digest_of(resent)
    ]  # fmt: skip
    assert batch[0].digest != batch[2].digest


def test_the_lookup_input_carries_no_demographic_value() -> None:
    batch = IDENTIFIED[:3]
    text = LookupInput(stream="patient-x", sent=sent(batch)).model_dump_json()
    for event in batch:
        person = event.demographics
        assert person is not None and person.name and person.birth_date and person.mbi
        assert person.name not in text and person.mbi not in text
        assert person.birth_date.isoformat() not in text


@pytest.mark.parametrize("digest", ["", "ab" * 31, "AB" * 32, "zz" * 32])
def test_a_digest_is_64_lowercase_hex_digits(digest: str) -> None:
    with pytest.raises(ValidationError, match="digest"):
        Sent(key="ehr:1", digest=digest)
