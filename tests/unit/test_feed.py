"""Feed lines are validated one by one: a bad line is named (line, field), the rest are kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from care.policy import Policy
from upstream.feed import ParsedFeed, parse_lines

NOW = datetime(2025, 3, 10, 12, tzinfo=UTC)  # the clock the date windows are judged against


def parse(lines: list[str]) -> ParsedFeed:
    return parse_lines(lines, NOW, Policy())


GOOD = {
    "type": "consent_declined",
    "event_id": "e-1",
    "patient_id": "p-1",
    "occurred_at": "2025-03-04T10:00:00-05:00",
}


def line(**changes: object) -> str:
    return json.dumps({**GOOD, **changes})


def test_each_bad_line_is_named_with_its_field_and_the_good_ones_are_kept_in_order() -> None:
    feed = parse(
        [
            line(),
            line(event_id="e-2", occurred_at="2025-03-04T10:00:00"),  # no offset
            "",
            "{not json",
            line(event_id="e-3", type="no_such_event"),
            line(event_id="e-4", patient_id="p-2"),
        ]
    )
    assert [(n, e.event_id) for n, e in feed.events] == [(1, "e-1"), (6, "e-4")]
    rejected = {r.line: (r.field, r.event_id) for r in feed.rejected}
    assert rejected[2] == ("occurred_at", "e-2")
    assert rejected[4][1] is None
    assert rejected[5][1] == "e-3"
    assert list(feed.by_patient()) == ["p-1", "p-2"]


def test_a_time_entry_without_minutes_or_interval_is_refused_naming_the_rule() -> None:
    feed = parse(
        [
            line(
                type="time_logged",
                entry_id="t-1",
                staff_id="rn-1",
                role="clinical_staff",
                minutes=12,
            )
        ]
    )
    assert not feed.events
    assert "minutes together with at" in feed.rejected[0].reason
