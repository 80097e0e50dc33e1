"""The synthetic feed contains every track and edge case it promises, on the patients it names."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from events.upstream import (
    ClaimAdjudicated,
    ConsentRecorded,
    InitiatingVisitCompleted,
    OutreachAttempted,
    PatientIdentified,
    StaffRole,
    TimeLogged,
    UpstreamEvent,
)
from upstream.synth import plan_feed, summarize
from upstream.synth.catalog import PRIORITY
from upstream.synth.remittance import allowed
from upstream.synth.timeline import Timeline

END = date(2026, 11, 27)
PLAN = plan_feed(end=END)
TL = Timeline.build(end=END, months=4, timezone="America/New_York")
LAST = TL.last_closed.label  # 2026-10
EVENTS: dict[str, list[UpstreamEvent]] = defaultdict(list)
for _event in PLAN.events:
    EVENTS[_event.patient_id].append(_event)


def _of(case: str) -> list[UpstreamEvent]:
    return EVENTS[PLAN.cases[case]]


def _minutes(events: list[UpstreamEvent], month: str) -> int:
    return sum(
        e.minutes or 0
        for e in events
        if isinstance(e, TimeLogged) and e.at is not None and TL.month_of(e.at).label == month
    )


def test_every_designed_case_is_a_patient_and_the_summary_names_it() -> None:
    assert list(PLAN.cases) == list(PRIORITY)
    assert summarize(PLAN.events)["designed"] == PLAN.cases


def test_the_summary_counts_every_edge_case_the_feed_promises() -> None:
    edge = summarize(PLAN.events)["edge_cases"]
    for name in (
        "late_entries", "overlapping_intervals", "voided_entries", "non_clinical_entries",
        "practitioner_entries", "em_counted_entries", "complex_months", "admissions",
        "revocations", "deaths", "conflicting_services", "unreachable", "declined",
        "incomplete_consents", "initiating_visits", "g0506_visits", "claims_paid",
        "claims_denied",
    ):  # fmt: skip
        assert edge[name] > 0, name
    assert edge["revocations"] == edge["deaths"] == edge["conflicting_services"] == 1


def test_threshold_cases_log_the_minutes_of_the_domain_examples() -> None:
    assert _minutes(_of("under-20"), LAST) == 19
    assert _minutes(_of("exactly-20"), LAST) == 20
    assert _minutes(_of("39-minutes"), LAST) == 39
    assert _minutes(_of("40-minutes"), LAST) == 40
    assert _minutes(_of("100-minutes"), LAST) == 100
    assert PLAN.intended[(PLAN.cases["under-20"], LAST)] == ()
    assert PLAN.intended[(PLAN.cases["40-minutes"], LAST)] == (("99490", 1), ("99439", 1))


def test_every_track_is_intended_in_the_last_closed_month() -> None:
    codes = {c for (_, month), cs in PLAN.intended.items() if month == LAST for c, _ in cs}
    assert {"99490", "99439", "99491", "99487", "99489"} <= codes
    assert {"99424", "99425", "99426", "99427"} <= codes
    # Under the default policies 99491 + 99437 (cap 1) never pays more than 99490 + 99439 x2.
    assert "99437" not in codes


def test_practitioner_only_months_have_no_staff_time() -> None:
    month = [e for e in _of("practitioner-34") if isinstance(e, TimeLogged) and e.at is not None]
    in_last = [e for e in month if TL.month_of(e.at or e.occurred_at).label == LAST]
    assert {e.role for e in in_last} == {StaffRole.practitioner}
    assert sum(e.minutes or 0 for e in in_last) == 34


def test_the_mix_is_mostly_ccm_with_some_pcm_and_some_ineligible() -> None:
    identified = [e for e in PLAN.events if isinstance(e, PatientIdentified)]
    acute = {"I21.4", "J06.9", "S52.5", "I16.0", "N39.0"}
    only_acute = [e for e in identified if set(e.diagnoses) <= acute]
    assert 10 <= len(only_acute) <= 40
    practitioners = Counter(e.practitioner_id for e in identified)
    assert set(practitioners) == {"prac-1", "prac-2", "prac-3"}
    no_recent = [e for e in identified if e.last_visit_on is None]
    assert len(no_recent) >= 10


def test_initiating_visits_use_em_or_awv_codes_and_some_add_g0506() -> None:
    visits = [e for e in PLAN.events if isinstance(e, InitiatingVisitCompleted)]
    assert {v.code for v in visits} == {"99213", "99214", "G0438"}
    assert any(v.g0506 for v in visits) and not all(v.g0506 for v in visits)


def test_unreachable_patients_have_three_or_more_failed_attempts_and_no_consent() -> None:
    events = _of("unreachable")
    attempts = [e for e in events if isinstance(e, OutreachAttempted)]
    assert len(attempts) >= 3 and all(a.outcome != "reached" for a in attempts)
    assert not any(isinstance(e, ConsentRecorded) for e in events)


def test_revocation_and_death_fall_mid_month_with_nothing_after_but_remittances() -> None:
    for case, kind in (("revoked", "consent_revoked"), ("died", "patient_died")):
        events = _of(case)
        ending = next(e for e in events if e.type == kind)
        assert TL.month_of(ending.occurred_at).label == LAST
        assert 10 <= ending.occurred_at.day <= 20
        later = [e for e in events if e.occurred_at > ending.occurred_at]
        assert {e.type for e in later} <= {"time_logged", "claim_adjudicated"}
        assert all(
            TL.month_of(e.occurred_at).label == LAST for e in later if e.type == "time_logged"
        )


def test_late_entries_are_dated_in_an_older_closed_month_and_never_change_its_codes() -> None:
    late = [e for e in PLAN.events if e.meta.correlation_id == "late"]
    assert len(late) >= 3
    for entry in late:
        assert isinstance(entry, TimeLogged)
        assert TL.month_of(entry.occurred_at).label < LAST


def test_remittances_pay_like_medicare_for_the_engine_claims_of_closed_months() -> None:
    claims = [e for e in PLAN.events if isinstance(e, ClaimAdjudicated)]
    assert len(claims) > 100
    closed = {m.label for m in TL.closed}
    short = 0
    for claim in claims:
        month = claim.claim_id.removeprefix(f"claim-{claim.patient_id}-")
        codes = PLAN.intended[(claim.patient_id, month)]
        assert month in closed and codes
        if claim.status == "denied":
            assert claim.reason_codes in (["CO-16"], ["CO-97"])
            continue
        amount = allowed(codes, int(month[:4]))
        short += claim.reason_codes == ["CO-45", "PR-2", "CO-253"]
        if claim.reason_codes[0] == "CO-45":
            amount = (amount * Decimal("0.95")).quantize(Decimal("0.01"))
        else:
            assert claim.reason_codes == ["PR-2", "CO-253"]
        # 80% of the allowed amount, less the 2% sequestration.
        assert claim.paid_amount == (amount * Decimal("0.784")).quantize(Decimal("0.01"))
    denied = {(c.patient_id, c.reason_codes[0]) for c in claims if c.status == "denied"}
    assert (PLAN.cases["exactly-20"], "CO-16") in denied
    assert (PLAN.cases["39-minutes"], "CO-97") in denied
    assert sum(c.status == "paid" for c in claims) > 10 * len(denied)
    assert 0 < short < len(claims) // 5


def test_a_twenty_patient_feed_keeps_the_twenty_most_important_cases() -> None:
    small = plan_feed(end=END, patients=20)
    assert list(small.cases) == list(PRIORITY[:20])
    assert {f"p-{i:04d}" for i in range(1, 21)} == {e.patient_id for e in small.events}
