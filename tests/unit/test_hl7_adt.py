"""ADT messages → contract events and ACKs, table by table (no network: see
tests/workflow/test_hl7_mllp.py for the listener over a real socket)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from hl7_in import errors as E
from hl7_in.ack import error_ack
from hl7_in.handler import AdtMapper
from hl7_in.mllp import FrameTooLarge, MllpDecoder, frame
from hl7_in.parse import essential, header, normalise
from tests.unit.hl7_messages import BIRTH, MRN, NAME, adt
from upstream.identifiers import AmbiguousIdentifiers, Identifier

EST = timezone(timedelta(hours=-5))
ADMIT, DISCHARGE = "202611250800-0500", "202611280930-0500"
ADMIT_AT, DISCHARGE_AT = (
    datetime(2026, 11, 25, 8, tzinfo=EST),
    datetime(2026, 11, 28, 9, 30, tzinfo=EST),
)
EVN_AT = datetime(2026, 11, 25, 8, 30, tzinfo=EST)
LATER, LATER_AT = "202611290800-0500", datetime(2026, 11, 29, 8, tzinfo=EST)
LINKS = {("HOSP", MRN): "p-0001"}


async def _resolve(identifiers: Sequence[Identifier]) -> str | None:
    found = {LINKS[i] for i in identifiers if i in LINKS}
    if len(found) > 1:
        raise AmbiguousIdentifiers("two")
    return found.pop() if found else None


MAPPER = AdtMapper(_resolve, source="hl7", clock=lambda: datetime(2026, 12, 1, tzinfo=UTC))


async def _events(raw: bytes) -> list[tuple[str, dict[str, Any]]]:
    events = await MAPPER.events_of(normalise(raw))
    return [
        (e.type, e.model_dump(exclude={"type", "schema_version", "event_id", "patient_id", "meta"}))
        for e in events
    ]


@pytest.mark.parametrize(
    "raw, expected",
    [
        pytest.param(
            adt("A01", admitted=ADMIT),
            [("patient_admitted", {"occurred_at": ADMIT_AT, "facility": "hospital"})],
            id="A01 admit",
        ),
        pytest.param(
            adt("A01", admitted=ADMIT, patient_type="SNF"),
            [("patient_admitted", {"occurred_at": ADMIT_AT, "facility": "snf"})],
            id="A01 into a SNF",
        ),
        pytest.param(
            adt("A01"),
            [("patient_admitted", {"occurred_at": EVN_AT, "facility": "hospital"})],
            id="A01 without PV1-44",
        ),
        pytest.param(adt("A01", patient_class="E", admitted=ADMIT), [], id="A01 emergency visit"),
        pytest.param(
            adt("A02", admitted=ADMIT),
            [("patient_admitted", {"occurred_at": ADMIT_AT, "facility": "hospital"})],
            id="A02 transfer",
        ),
        pytest.param(
            adt("A03", admitted=ADMIT, discharged=DISCHARGE),
            [("patient_discharged", {"occurred_at": DISCHARGE_AT})],
            id="A03 discharge",
        ),
        pytest.param(adt("A04", patient_class="O"), [], id="A04 outpatient registration"),
        pytest.param(
            adt("A08", admitted=ADMIT, discharged=DISCHARGE),
            [
                ("patient_admitted", {"occurred_at": ADMIT_AT, "facility": "hospital"}),
                ("patient_discharged", {"occurred_at": DISCHARGE_AT}),
            ],
            id="A08 update states both",
        ),
        pytest.param(
            adt("A11", admitted=ADMIT),
            [("patient_admission_cancelled", {"occurred_at": EVN_AT, "admitted_at": ADMIT_AT})],
            id="A11 cancel admit",
        ),
        pytest.param(
            adt("A13", discharged=DISCHARGE, evn=LATER),
            [
                (
                    "patient_discharge_cancelled",
                    {"occurred_at": LATER_AT, "discharged_at": DISCHARGE_AT},
                )
            ],
            id="A13 cancel discharge",
        ),
        pytest.param(
            adt("A01", admitted="202611250800"),
            [("patient_admitted", {"occurred_at": ADMIT_AT, "facility": "hospital"})],
            id="no offset: the practice's zone",
        ),
    ],
)
async def test_adt_events(raw: bytes, expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert await _events(raw) == expected


@pytest.mark.parametrize(
    "raw, ack, code, location",
    [
        (adt("A01", pid3="77^^^HOSP^MR"), "AE", E.UNKNOWN_KEY, "PID-3"),
        (adt("A01", pid3=f"{MRN}^^^^MR"), "AE", E.REQUIRED_FIELD_MISSING, "PID-3"),
        (adt("A01", pid3=f"{MRN}^^^HOSP^SS"), "AE", E.REQUIRED_FIELD_MISSING, "PID-3"),
        (adt("A11"), "AE", E.REQUIRED_FIELD_MISSING, "PV1-44"),
        (adt("A13"), "AE", E.REQUIRED_FIELD_MISSING, "PV1-45"),
        (adt("A01", admitted="20261125"), "AE", E.DATA_TYPE_ERROR, "PV1-44"),
        (adt("A01", admitted="203001010000-0500"), "AE", E.DATA_TYPE_ERROR, "PV1-44"),
        (adt("A05"), "AR", E.UNSUPPORTED_EVENT_CODE, "MSH-9"),
        (adt("R01", message_type="ORU"), "AR", E.UNSUPPORTED_MESSAGE_TYPE, "MSH-9"),
        (b"PID|1||x\r", "AR", E.APPLICATION_ERROR, "MSH"),
        (adt("A01").replace(b"2.5.1", b"9.9"), "AR", E.UNSUPPORTED_VERSION, "MSH"),
    ],
)
async def test_refusals(raw: bytes, ack: str, code: str, location: str) -> None:
    with pytest.raises(E.AdtError) as refused:
        await MAPPER.events_of(normalise(raw))
    assert (refused.value.ack, refused.value.code, refused.value.location) == (ack, code, location)


async def test_every_message_stating_one_admission_records_one_event() -> None:
    ids = set()
    for trigger, control in (("A01", "1"), ("A02", "2"), ("A08", "3"), ("A01", "1")):
        (event,) = await MAPPER.events_of(normalise(adt(trigger, control=control, admitted=ADMIT)))
        ids.add(event.event_id)
    assert len(ids) == 1 and MRN not in ids.pop()


def test_an_error_ack_names_the_field_and_code_never_the_patient() -> None:
    text = normalise(adt("A01", pid3="77^^^HOSP^MR"))
    error = E.AdtError("AE", E.UNKNOWN_KEY, "PID-3", "no patient is linked to these identifiers")
    raw = error_ack(header(text), error, datetime(2026, 12, 1, tzinfo=UTC), "ack-1")
    msh, msa, err = raw.decode().rstrip("\r").split("\r")
    assert msh.startswith("MSH|^~\\&|CCM|CCM-ENGINE|ADT1|GOOD HEALTH|20261201000000+0000||ACK^A01")
    assert msa == "MSA|AE|MSG0001|PID-3: no patient is linked to these identifiers"
    assert err.startswith("ERR||PID^1^3|204^Unknown key identifier^HL70357|E")
    for phi in ("77", "DOE", "JANE", BIRTH, "MAIN ST"):
        assert phi not in raw.decode().split("|", 7)[7], phi
    assert NAME not in raw.decode()


def test_mllp_frames_split_anywhere_and_junk_between_them() -> None:
    stream = b"\n" + frame(b"one") + b"\r\n" + frame(b"two")
    decoder = MllpDecoder()
    got = [m for i in range(0, len(stream), 3) for m in decoder.feed(stream[i : i + 3])]
    assert got == [b"one", b"two"]
    with pytest.raises(FrameTooLarge):
        MllpDecoder(limit=10).feed(b"\x0b" + b"x" * 20)


def test_demographics_never_reach_the_parser() -> None:
    raw = adt("A01", admitted=ADMIT) + b"NK1|1|DOE^JOHN|SPO\rIN1|1|MEDICARE\r"
    kept = essential(normalise(raw))
    assert [s[:3] for s in kept.rstrip("\r").split("\r")] == ["MSH", "EVN", "PID", "PV1"]
    for phi in ("DOE", "JANE", BIRTH, "MAIN ST", "MEDICARE"):
        assert phi not in kept, phi
    assert MRN in kept and "202611250800-0500" in kept
