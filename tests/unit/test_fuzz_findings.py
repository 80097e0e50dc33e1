"""What the fuzz suite (tests/fuzz) found at the edge, one regression test each: the parser,
the update validator and the decider. The clock is pinned."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from care.policy import Policy
from events.upstream import UpstreamEvent
from patient.commands import Record, Refused, Tick
from patient.decide import decide
from patient.evolve import fold
from patient.policies import PolicyHistory
from patient.state import Patient
from patient.validate import check_delivery
from tests.workflow.builders import Life, in_month
from upstream.feed import parse_lines, read_feed

from .test_contract_edges import AT, NOW, PAID, TIME, parse, refused

PHI = ("Zqavery Synthov", "9S1234ACDEF")


@pytest.mark.parametrize(
    ("event", "field"),
    [
        pytest.param(TIME | {"occurred_at": "1772722800"}, "occurred_at", id="digits as a moment"),
        pytest.param(
            {
                "type": "patient_died",
                "event_id": "e-5",
                "patient_id": "p-0049",
                "occurred_at": AT,
                "died_on": "1772323200",
            },
            "died_on",
            id="digits as a day",
        ),
        pytest.param(TIME | {"at": "2026-03-05 10:00:00-05:00"}, "at", id="space for T"),
        pytest.param(TIME | {"at": "2026-03-05t10:00:00z"}, "at", id="lower-case t and z"),
        pytest.param(TIME | {"at": "2026-03-05T10:00:00-0500"}, "at", id="basic offset"),
        pytest.param(TIME | {"at": "2026-03-05T10:00:00.123456789Z"}, "at", id="nanoseconds"),
        pytest.param(TIME | {"at": "2026-03-05T10:00:00+14:01"}, "at", id="offset past +14:00"),
        pytest.param(TIME | {"at": "2026-03-05T24:00:00Z"}, "at", id="hour 24"),
        pytest.param(PAID | {"paid_amount": "1e2"}, "paid_amount", id="exponent in a string"),
        pytest.param(PAID | {"paid_amount": " 5"}, "paid_amount", id="blank in an amount"),
        pytest.param(PAID | {"paid_amount": "+5"}, "paid_amount", id="signed amount"),
        pytest.param(PAID | {"paid_amount": "5_000"}, "paid_amount", id="underscore in amount"),
        pytest.param(PAID | {"paid_amount": "-0"}, "paid_amount", id="minus zero"),
        pytest.param(PAID | {"paid_amount": "51.850"}, "paid_amount", id="three decimals"),
        pytest.param(TIME | {"schema_version": True}, "schema_version", id="version true"),
        pytest.param(TIME | {"schema_version": 1.0}, "schema_version", id="version 1.0"),
        pytest.param(TIME | {"activity": "call\u2028notes"}, "activity", id="LS in one-line"),
        pytest.param(TIME | {"credential": "RN\u2029"}, "credential", id="PS in one-line"),
    ],
)
def test_a_value_the_fuzz_found_accepted_is_refused_naming_its_field(
    event: dict[str, Any], field: str
) -> None:
    assert refused(event).field == field


@pytest.mark.parametrize(
    "event",
    [TIME | {"at": "2026-03-05T10:00-05:00", "occurred_at": "2026-03-05T10:00-05:00"},
     TIME | {"at": "2026-03-05T15:00:00.5Z"}, TIME | {"at": "2026-03-05T20:00:00+14:00"},
     PAID | {"paid_amount": 51.85}, PAID | {"paid_amount": "0.5"}, PAID | {"paid_amount": 100}],
    ids=["no seconds", "fraction", "+14:00", "a JSON number", "one decimal", "an integer"],
)  # fmt: skip
def test_the_iso_and_amount_forms_the_contract_allows_are_accepted(event: dict[str, Any]) -> None:
    assert parse(event).events


def test_a_utf8_bom_opens_the_first_line_only() -> None:
    data = (
        b"\xef\xbb\xbf" + json.dumps(TIME).encode() + b"\n\xef\xbb\xbf" + json.dumps(TIME).encode()
    )
    feed = read_feed(data, NOW, Policy())
    assert [n for n, _ in feed.events] == [1] and [r.line for r in feed.rejected] == [2]


def test_an_inverted_interval_is_refused_without_its_times() -> None:
    start, end = "2026-03-05T10:00:00-05:00", "2026-03-05T09:00:00-05:00"
    rejection = refused(TIME | {"minutes": None, "at": None, "start": start, "end": end})
    assert "end is not after start" in rejection.reason and "2026" not in rejection.reason


@pytest.mark.parametrize("field", ["role", "channel"])
def test_a_name_sent_in_an_enumeration_is_never_echoed(field: str) -> None:
    event = TIME | {field: PHI[0]} if field == "role" else TIME | {"role": PHI[1]}
    [rejection] = parse_lines([json.dumps(event)], NOW, Policy()).rejected
    assert not any(value in rejection.reason for value in PHI)


TZ = "America/New_York"
CLOCK = datetime(2026, 3, 10, 12, tzinfo=UTC)


def recorded(p: Life, facts: list[UpstreamEvent], tick: datetime | None = None) -> Patient:
    state = Patient(patient_id=p.id, timezone=TZ)
    for fact in facts:
        state = fold(decide(state, Record(fact), PolicyHistory()), state)
    return fold(decide(state, Tick(tick), PolicyHistory()), state) if tick else state


def refusal(state: Patient, event: UpstreamEvent) -> str:
    with pytest.raises(Refused) as refused_:
        check_delivery(state, [event], Policy(), CLOCK)
        decide(state, Record(event), PolicyHistory())
    return refused_.value.field


@pytest.mark.parametrize("month", ["2026/02", "abcdefg", "2026-13"])
def test_a_remittance_must_name_a_real_month_of_the_patients_claims(month: str) -> None:
    p = Life("p-0049")
    state = recorded(p, p.enrolled(in_month("2026-02", 2)))
    remit = p.event("claim_adjudicated", CLOCK - timedelta(hours=1),
                    claim_id=f"claim-p-0049-{month}", status="paid")  # fmt: skip
    assert refusal(state, remit) == "claim_id"


def test_before_identification_a_remittance_or_a_void_of_no_held_entry_is_refused() -> None:
    p = Life("p-0049")
    state = recorded(p, [p.time(in_month("2026-03", 2), 5)])
    remit = p.event("claim_adjudicated", CLOCK - timedelta(hours=1),
                    claim_id="claim-p-0049-2026-02", status="denied")  # fmt: skip
    assert refusal(state, remit) == "claim_id"
    assert refusal(state, p.void(CLOCK - timedelta(hours=1), "t-none")) == "entry_id"


def test_before_identification_a_void_of_a_held_entry_is_held() -> None:
    p = Life("p-0049")
    entry = p.time(in_month("2026-03", 2), 5)
    state = recorded(p, [entry])
    void = p.void(CLOCK - timedelta(hours=1), entry.entry_id)  # type: ignore[union-attr]
    assert decide(state, Record(void), PolicyHistory()) == [void]


def test_an_entry_id_of_a_closed_month_is_not_reused_in_an_open_one() -> None:
    p = Life("p-0049")
    february = p.time(in_month("2026-02", 9), 25)
    state = recorded(p, [*p.enrolled(in_month("2026-02", 2)), february], tick=CLOCK)
    at = CLOCK - timedelta(hours=2)
    again = p.event("time_logged", at, entry_id=february.entry_id, staff_id="rn-1",  # type: ignore[union-attr]
                    role="clinical_staff", minutes=25, at=at)  # fmt: skip
    assert refusal(state, again) == "entry_id"
