"""Reports over a hand-built practice (tests/integration/test_report_builders.py): one billed
month with every section 8 answer, one patient this month on the worklist, one ineligible."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import asyncpg
import pytest

from events.base import stream_for
from events.store import EventStore
from projections import reports
from projections.runner import catch_up
from tests.integration.test_report_builders import TZ, billed_march, enrolment, minutes

pytestmark = pytest.mark.integration


@pytest.fixture
async def practice(pool: asyncpg.Pool, store: EventStore) -> asyncpg.Pool:
    streams = {
        "a": [*enrolment("a", "2025-01-05"), *billed_march("a")],
        "b": [*enrolment("b", "2025-04-01"), minutes("b", "b1", "2025-04-09T10:00:00-04:00", 8)],
        "c": enrolment("c", "2025-02-01", program=None),
    }
    for pid, events in streams.items():
        await store.append(stream_for(pid), events, expected_version=0)
    await catch_up(pool)
    return pool


async def test_billing_shows_codes_amounts_claim_status_and_the_shortfall(
    practice: asyncpg.Pool,
) -> None:
    [row] = await reports.billing_month(practice, "2025-03")
    assert (row.patient_id, row.track, row.counted_minutes, row.clinical_staff_minutes) == (
        "a",
        "ccm_staff",
        40,
        40,
    )
    assert [(c.code, c.units) for c in row.codes] == [("99490", 1), ("99439", 1)]
    assert (row.allowed, row.patient_share, row.expected_payment) == (
        Decimal("106.42"), Decimal("21.28"), Decimal("83.43"),
    )  # fmt: skip
    assert (row.claim_status, row.paid, row.variance) == (
        "paid",
        Decimal("83.00"),
        Decimal("-0.43"),
    )
    assert row.why == "40 counted minutes on the clinical-staff track: 99490 + 1 x 99439"
    assert row.date_of_service == date(2025, 3, 31)
    assert await reports.billing_month(practice, "2025-02") == []


async def test_the_audit_packet_answers_every_question_of_section_8(practice: asyncpg.Pool) -> None:
    p = await reports.audit_packet(practice, "a", "2025-03", TZ)
    assert p.eligibility is not None and p.eligibility.conditions == ["diabetes", "hypertension"]
    assert p.initiating_visit.required is False  # seen 2024-12-02, within 12 months of consent
    assert (
        p.consent is not None
        and p.consent.obtained_by == "rn-1"
        and p.consent.missing_disclosures == []
    )
    assert p.care_plan is not None and p.care_plan.in_force_by_month_end
    assert [e.entry_id for e in p.counted_entries] == ["t1", "t2"]
    assert {e.entry_id: e.excluded_reasons for e in p.excluded_entries} == {
        "t3": ["non_clinical_role (15 min)"], "t4": ["voided: wrong patient"],
    }  # fmt: skip
    assert p.decision is not None and p.decision.reasons[0].startswith("40 counted minutes")
    assert p.services_billed_elsewhere == []
    assert [(s.step, s.by) for s in p.claim] == [
        ("prepared", "biller-7"), ("submitted", "engine"), ("paid", "clearinghouse"),
    ]  # fmt: skip
    assert len(p.late_entries) == 1 and p.late_entries[0].startswith("time_logged upstream:a-t5")
    assert p.integrity is not None and p.integrity.unaltered and p.integrity.events_checked == 19
    with pytest.raises(reports.MonthNotClosed):
        await reports.audit_packet(practice, "a", "2025-04", TZ)


async def test_the_trail_lists_every_event_and_no_read_model_holds_demographics(
    practice: asyncpg.Pool,
) -> None:
    trail = await reports.audit_trail(practice, "a")
    assert [r.version for r in trail] == list(range(1, 20))
    assert trail[0].type == "patient_identified" and "demographics" not in trail[0].data
    for table in ("audit_events", "worklist_facts"):
        leaked = await practice.fetchval(
            f"SELECT count(*) FROM {table} WHERE data::text ~ 'Jane|1EG4TE5MK73|A1c'"
        )
        assert leaked == 0


async def test_the_worklist_shows_progress_this_month(practice: asyncpg.Pool) -> None:
    rows = await reports.worklist(practice, date(2025, 4, 10), TZ)
    by_id = {r.patient_id: r for r in rows}
    b = by_id["b"]
    assert (b.minutes_so_far, b.threshold, b.minutes_needed, b.days_left) == (8, 20, 12, 21)
    assert b.reachable and not b.at_risk
    # Most minutes needed per remaining working day first: a needs 20 over 15 days, b 12.
    assert [(r.rank, r.patient_id) for r in rows] == [(1, "a"), (2, "b")]
    assert b.priority == "12 min needed over 15 working day(s): 0.8/day"
    assert by_id["a"].minutes_so_far == 0 and "c" not in by_id


async def test_the_funnel_counts_phases_conversion_and_time(practice: asyncpg.Pool) -> None:
    rows = {r.phase: r for r in await reports.funnel(practice)}
    assert (rows["identified"].entered, rows["eligible"].entered, rows["ineligible"].entered) == (
        3,
        2,
        1,
    )
    assert rows["eligible"].conversion == Decimal("0.667")
    assert rows["active"].patients_now == 2 and rows["ineligible"].patients_now == 1
    assert rows["enrolling"].median_days == Decimal("4.0")
    assert rows["declined"].entered == 0 and rows["declined"].conversion == Decimal("0.000")


async def test_late_entries_show_the_claim_they_did_not_change(practice: asyncpg.Pool) -> None:
    [late] = await reports.late_entries(practice)
    assert (late.patient_id, late.service_month, late.claim_status) == ("a", "2025-03", "paid")
    assert late.late_event_type == "time_logged"
