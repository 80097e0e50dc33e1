"""The synthetic feed as a contract client: valid, deterministic, ordered, and free of real PHI."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from datetime import date

import pytest
from pydantic import TypeAdapter

from events.upstream import PatientIdentified, UpstreamEvent
from upstream.synth import generate_feed, plan_feed, to_jsonl
from upstream.synth.timeline import Timeline

END = date(2026, 11, 27)
FEED = generate_feed(end=END)
ADAPTER: TypeAdapter[UpstreamEvent] = TypeAdapter(UpstreamEvent)
# A real MBI: 11 characters, the first 1-9, letters never S, L, O, I, B or Z (CMS MBI format).
REAL_MBI = re.compile(
    r"^[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9][0-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9][0-9]"
    r"[AC-HJKMNP-RT-Y]{2}[0-9]{2}$"
)
SOURCES = {
    "patient_identified": "ehr",
    "outreach_attempted": "scheduling",
    "initiating_visit_completed": "ehr",
    "consent_recorded": "ehr",
    "consent_declined": "ehr",
    "care_plan_established": "ehr",
    "time_logged": "timetracker",
    "time_entry_voided": "timetracker",
    "complexity_assessed": "ehr",
    "patient_admitted": "ehr",
    "patient_discharged": "ehr",
    "service_billed_elsewhere": "clearinghouse",
    "consent_revoked": "ehr",
    "patient_died": "ehr",
    "claim_adjudicated": "clearinghouse",
}


def _identified() -> list[PatientIdentified]:
    return [e for e in FEED if isinstance(e, PatientIdentified)]


def test_every_line_validates_against_the_contract_and_round_trips() -> None:
    lines = list(to_jsonl(FEED))
    assert len(lines) == len(FEED) > 2000
    for line, event in zip(lines, FEED, strict=True):
        assert line.endswith("\n") and "\n" not in line[:-1]
        assert ADAPTER.validate_json(line) == event


def test_same_seed_and_end_give_byte_identical_jsonl() -> None:
    again = "".join(to_jsonl(generate_feed(end=END)))
    assert again == "".join(to_jsonl(FEED))


def test_a_different_seed_or_end_gives_a_different_feed() -> None:
    reference = "".join(to_jsonl(FEED))
    assert "".join(to_jsonl(generate_feed(end=END, seed=8))) != reference
    assert "".join(to_jsonl(generate_feed(end=date(2026, 11, 20)))) != reference


def test_more_patients_never_change_the_earlier_ones() -> None:
    small = generate_feed(end=END, patients=40)
    large = [e for e in FEED if int(e.patient_id[2:]) <= 40]
    assert sorted(small, key=lambda e: e.event_id) == sorted(large, key=lambda e: e.event_id)


def test_event_ids_are_unique_deterministic_and_sources_fit_the_type() -> None:
    ids = [e.event_id for e in FEED]
    assert len(set(ids)) == len(ids)
    for event in FEED:
        assert re.fullmatch(rf"synth-7-{event.patient_id}-[0-9]+", event.event_id)
        assert event.meta.source == SOURCES[event.type]


def test_patient_ids_are_opaque_and_never_carry_a_name_or_mbi() -> None:
    identified = _identified()
    assert len(identified) == 200
    for event in identified:
        assert re.fullmatch(r"p-[0-9]{4}", event.patient_id)
        assert event.demographics is not None and event.demographics.name is not None
        for part in [*event.demographics.name.split(), event.demographics.mbi]:
            assert part is not None and part.lower() not in event.patient_id


def test_names_and_mbis_are_clearly_fake() -> None:
    mbis = []
    for event in _identified():
        person = event.demographics
        assert person is not None and person.name is not None and person.mbi is not None
        assert "Synth-" in person.name
        assert re.fullmatch(r"0SYNTH[0-9]{5}", person.mbi)
        assert not REAL_MBI.match(person.mbi)
        mbis.append(person.mbi)
    assert len(set(mbis)) == len(mbis)


def test_events_span_the_months_before_end_which_is_exclusive() -> None:
    tl = Timeline.build(end=END, months=4, timezone="America/New_York")
    first_moment = tl.moment(tl.closed[0], 1, 0)
    assert all(first_moment <= e.occurred_at < tl.boundary for e in FEED)
    assert {tl.month_of(e.occurred_at).label for e in FEED} == {
        "2026-08",
        "2026-09",
        "2026-10",
        "2026-11",
    }


def test_order_is_by_time_with_late_entries_last_and_identification_first() -> None:
    late_from = next(i for i, e in enumerate(FEED) if e.meta.correlation_id == "late")
    assert all(e.meta.correlation_id == "late" for e in FEED[late_from:])
    on_time = FEED[:late_from]
    assert all(a.occurred_at <= b.occurred_at for a, b in itertools.pairwise(on_time))
    per_patient: dict[str, list[UpstreamEvent]] = defaultdict(list)
    for event in FEED:
        per_patient[event.patient_id].append(event)
    for events in per_patient.values():
        assert events[0].type == "patient_identified"
        assert sum(e.type == "patient_identified" for e in events) == 1


def test_a_feed_ending_on_the_first_has_nothing_in_its_current_month() -> None:
    feed = plan_feed(end=date(2026, 11, 1), patients=30)
    tl = feed.timeline
    assert all(tl.month_of(e.occurred_at).label < "2026-11" for e in feed.events)
    # October is over but still in its grace period: documented, not yet billed.
    assert [m.label for m in tl.awaiting] == ["2026-10"]
    assert any(tl.month_of(e.occurred_at).label == "2026-10" for e in feed.events)
    assert {m for _, m in feed.intended} == {"2026-07", "2026-08", "2026-09"}


@pytest.mark.parametrize(
    ("end", "closed", "awaiting"),
    [
        (date(2026, 12, 1), ["2026-08", "2026-09", "2026-10"], ["2026-11"]),
        (date(2026, 12, 3), ["2026-08", "2026-09", "2026-10"], ["2026-11"]),
        (date(2026, 12, 4), ["2026-09", "2026-10", "2026-11"], []),  # closed at midnight
        (date(2027, 1, 2), ["2026-09", "2026-10", "2026-11"], ["2026-12"]),
    ],
)
def test_closed_months_are_those_the_engine_has_closed_by_the_feeds_end(
    end: date, closed: list[str], awaiting: list[str]
) -> None:
    tl = Timeline.build(end=end, months=4, timezone="America/New_York")
    assert [m.label for m in tl.closed] == closed
    assert [m.label for m in tl.awaiting] == awaiting


@pytest.mark.parametrize(("patients", "months"), [(0, 4), (100_000, 4), (10, 1), (10, 13)])
def test_out_of_range_arguments_are_refused(patients: int, months: int) -> None:
    with pytest.raises(ValueError, match="must be between"):
        generate_feed(end=END, patients=patients, months=months)
