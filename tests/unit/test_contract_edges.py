"""Every example of issue 10 at the edge, as a named regression test (the feed parser).

Each bad value is refused with the field named and no PHI echoed; each valid-but-unusual value
is accepted. The clock the date windows are judged against is pinned.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from care.policy import Policy
from upstream.feed import ParsedFeed, Rejection, parse_lines, read_feed

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
AT = "2026-03-05T10:00:00-05:00"
TIME: dict[str, Any] = {
    "type": "time_logged", "event_id": "e-1", "patient_id": "p-0049", "occurred_at": AT,
    "entry_id": "t-1", "staff_id": "rn-1", "role": "clinical_staff", "minutes": 12, "at": AT,
}  # fmt: skip
IDENTIFIED: dict[str, Any] = {
    "type": "patient_identified", "event_id": "e-2", "patient_id": "p-0049", "occurred_at": AT,
    "practice_id": "practice-1", "practitioner_id": "prac-1", "diagnoses": ["E11.9", "I10"],
    "demographics": {"name": "Avery Synth-Ashby", "mbi": "0SYNTH96455", "birth_date": "1941-02-03"},
}  # fmt: skip
PLAN: dict[str, Any] = {
    "type": "care_plan_established", "event_id": "e-3", "patient_id": "p-0049", "occurred_at": AT,
    "care_plan_id": "cp-1", "problems": ["Diabetes"], "goals": ["A1c < 8"],
}  # fmt: skip
PAID: dict[str, Any] = {
    "type": "claim_adjudicated", "event_id": "e-4", "patient_id": "p-0049", "occurred_at": AT,
    "claim_id": "claim-p-0049-2026-02", "status": "paid", "paid_amount": "51.85",
}  # fmt: skip
PHI = ("Avery", "Synth-Ashby", "0SYNTH96455", "1941-02-03")


def parse(*events: dict[str, Any] | str) -> ParsedFeed:
    lines = [e if isinstance(e, str) else json.dumps(e) for e in events]
    return parse_lines(lines, NOW, Policy())


def refused(event: dict[str, Any] | str) -> Rejection:
    feed = parse(event)
    assert not feed.events, "accepted though wrong"
    [rejection] = feed.rejected
    assert not any(value in rejection.reason for value in PHI)
    return rejection


REFUSED = [
    pytest.param(
        TIME | {"activity": "call\u0000notes"}, "activity", "U+0000", id="NUL in activity"
    ),
    pytest.param(TIME | {"credential": "RN\x1b[2J"}, "credential", "U+001B", id="escape in text"),
    pytest.param(PAID | {"paid_amount": 1e20}, "paid_amount", "less than or equal", id="1e20 paid"),
    pytest.param(TIME | {"at": "0001-01-01T00:00:00Z"}, "at", "between 1900 and 2100", id="year 1"),
    pytest.param(TIME | {"at": "9999-12-31T00:00:00Z"}, "at", "between 1900 and 2100", id="9999"),
    pytest.param(TIME | {"at": 1772722800}, "at", "valid datetime", id="int as timestamp"),
    pytest.param(TIME | {"occurred_at": 1772722800.5}, "occurred_at", "datetime", id="float"),
    pytest.param(TIME | {"minutes": True}, "minutes", "valid integer", id="minutes true"),
    pytest.param(TIME | {"minutes": "12"}, "minutes", "valid integer", id="minutes '12'"),
    pytest.param(TIME | {"minutes": " 7 "}, "minutes", "valid integer", id="minutes ' 7 '"),
    pytest.param(IDENTIFIED | {"qmb": "yes"}, "qmb", "valid boolean", id="qmb yes"),
    pytest.param(TIME | {"at": "2099-01-01T10:00:00Z"}, "at", "not after it", id="at 2099"),
    pytest.param(TIME | {"at": "1900-01-02T10:00:00Z"}, "at", "days before", id="at 1900"),
    pytest.param(
        {
            "type": "patient_died",
            "event_id": "e-5",
            "patient_id": "p-0049",
            "occurred_at": AT,
            "died_on": "2099-01-01",
        },
        "died_on",
        "not after it",
        id="died_on 2099",
    ),
    pytest.param(
        {
            "type": "patient_died",
            "event_id": "e-5",
            "patient_id": "p-0049",
            "occurred_at": AT,
            "died_on": "1900-01-01",
        },
        "died_on",
        "days before",
        id="died_on 1900",
    ),
    pytest.param(
        {
            "type": "initiating_visit_completed",
            "event_id": "e-6",
            "patient_id": "p-0049",
            "occurred_at": AT,
            "code": "99214",
            "on": "2099-03-01",
        },
        "on",
        "not after it",
        id="visit 2099",
    ),
    pytest.param(
        IDENTIFIED | {"last_visit_on": "2099-01-01"}, "last_visit_on", "not after", id="lv 2099"
    ),
    pytest.param(
        IDENTIFIED | {"last_visit_on": "1900-01-01"}, "last_visit_on", "25 years", id="lv 1900"
    ),
    pytest.param(
        PLAN | {"shared_with_patient_at": "2099-01-01T00:00:00Z"},
        "shared_with_patient_at",
        "not in the future",
        id="shared 2099",
    ),
    pytest.param(
        TIME | {"minutes": None, "at": None, "start": AT, "end": "2026-03-12T10:00:00-05:00"},
        "(event)",
        "more than a day",
        id="a week-long interval",
    ),
    pytest.param(
        {
            "type": "complexity_assessed",
            "event_id": "e-7",
            "patient_id": "p-0049",
            "occurred_at": AT,
            "service_month": "0000-01",
            "mdm": "high",
        },
        "service_month",
        "between 2015-01",
        id="service_month 0000-01",
    ),
    pytest.param("[" * 2000 + "]" * 2000, "(event)", "recursion limit", id="nested 2000 deep"),
    pytest.param(
        '{"type": "time_logged", "note": "Avery Synth-Ashby',
        "(event)",
        "Invalid JSON",
        id="a broken line is not echoed",
    ),
    pytest.param(
        TIME | {"mbi": "0SYNTH96455"}, "mbi", "not a field", id="unknown field not echoed"
    ),
    pytest.param(TIME | {"type": "Avery Synth-Ashby"}, "(event)", "not an event type", id="type"),
    pytest.param(
        IDENTIFIED | {"demographics": {"name": "Avery\u0000"}},
        "demographics.name",
        "control character",
        id="demographics never echoed",
    ),
]


@pytest.mark.parametrize(("event", "field", "reason"), REFUSED)
def test_a_wrong_value_is_refused_naming_the_field_never_a_phi_value(
    event: dict[str, Any] | str, field: str, reason: str
) -> None:
    rejection = refused(event)
    assert rejection.field == field and reason in rejection.reason
    if isinstance(event, dict):
        assert rejection.event_id == event["event_id"]


def test_a_lone_surrogate_is_refused_not_stored() -> None:
    rejection = refused(json.dumps(TIME | {"activity": "a"})[:-1] + ', "credential": "\\ud800"}')
    assert rejection.field == "(event)"


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_line_and_paragraph_separators_inside_a_string_are_accepted(separator: str) -> None:
    goal = f"Walk daily{separator}Check feet"
    data = (json.dumps(PLAN | {"goals": [goal]}, ensure_ascii=False) + "\n").encode() * 2
    feed = read_feed(data, NOW, Policy())
    assert feed.rejected == [] and len(feed.events) == 2
    assert feed.events[0][1].goals == [goal]  # type: ignore[union-attr]


def test_a_line_over_the_size_limit_and_a_line_not_utf8_are_refused_alone() -> None:
    huge = json.dumps(PLAN | {"goals": ["x" * 500] * 100, "problems": ["y" * 500] * 100})
    ok = json.dumps(TIME)
    data = b"\n".join([b"\xff\xfe not text", huge.encode() * 3, ok.encode()])
    feed = read_feed(data, NOW, Policy())
    assert [(r.line, r.field) for r in feed.rejected] == [(1, "(line)"), (2, "(line)")]
    assert "not UTF-8" in feed.rejected[0].reason and "byte limit" in feed.rejected[1].reason
    assert [n for n, _ in feed.events] == [3]


def test_a_remittance_amount_keeps_its_cents_and_a_value_in_a_safe_field_is_shown() -> None:
    assert parse(PAID).events[0][1].paid_amount == Decimal("51.85")  # type: ignore[union-attr]
    assert refused(TIME | {"minutes": 0}).reason.endswith("(got 0)")


def test_a_patient_identified_on_29_february_has_a_last_visit_window() -> None:
    leap = IDENTIFIED | {"occurred_at": "2028-02-29T10:00:00-05:00", "last_visit_on": "2003-03-01"}
    assert parse_lines([json.dumps(leap)], datetime(2028, 3, 1, tzinfo=UTC), Policy()).events
