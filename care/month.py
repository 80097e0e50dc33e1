"""``evaluate_month``: one patient-month's facts in, the billing decision out (domain §3-§7).

Pure and deterministic (no clock, no I/O beyond the packaged tables read once), so the workflow
can call it at month close and ``ccm billing evaluate`` gives the operator the same answer.
"""

from __future__ import annotations

from datetime import date

from care.blocks import month_blockers
from care.codes import TRACKS, codes_for, describe, track_minutes
from care.conditions import distinct_conditions
from care.decision import ClaimLine, CodeUnits, MonthDecision, Track
from care.drafting import MonthDraft, TrackClaim
from care.eligibility import apcm_level_code
from care.facts import MonthFacts, as_local_date
from care.fees import NATIONAL, FeeSchedule
from care.gates import g0506_due_on
from care.minutes import CountedTime, count_time, crossing_moment
from care.months import last_day, month_bounds
from care.policy import DEFAULT_POLICY, Policy
from care.tracks import choose_track
from care.windows import exclusion_windows


def evaluate_month(
    facts: MonthFacts, policy: Policy | None = None, fees: FeeSchedule = NATIONAL
) -> MonthDecision:
    """Decides what the month bills and why: at most one track, one claim (OIG A-07-17-05101)."""
    pol = policy or DEFAULT_POLICY
    counted = count_time(facts.time_entries, exclusion_windows(facts, pol))
    month = MonthDraft(facts, counted, pol, fees, _g0506_lines(facts))
    blockers = month_blockers(facts, pol)
    if blockers:
        return month.decision([month.nothing + r for r in blockers])
    if facts.program == "apcm":
        return _apcm(month)
    by_role = counted.minutes_by_role()
    choice = choose_track(
        facts.program, by_role, facts.complex_mdm, year=facts.year, policy=pol, fees=fees
    )
    if choice.track is None:
        return month.decision([month.nothing + _below_threshold(facts, by_role)])
    minutes = track_minutes(choice.track, by_role)
    codes = codes_for(choice.track, minutes, pol)
    dos, dos_why = _date_of_service(facts, pol, choice.track, counted)
    reasons = [describe(choice.track, minutes, codes), *([choice.why] if choice.why else [])]
    reasons += _track_notes(facts, choice.track, by_role)
    claim = TrackClaim(choice.track, codes, dos, dos_why)
    return month.decision(reasons, claim, choice.candidates)


def _g0506_lines(facts: MonthFacts) -> list[ClaimLine]:
    _, end = month_bounds(facts.year, facts.month, facts.zone)
    on = g0506_due_on(facts, end)
    return [ClaimLine(code="G0506", units=1, date_of_service=on)] if on is not None else []


def _apcm(month: MonthDraft) -> MonthDecision:
    # APCM has no time threshold; level by condition count and QMB (CY2025 PFS final rule).
    facts = month.facts
    count = len(distinct_conditions(facts.conditions))
    code = apcm_level_code(count, facts.qmb)
    why = f"APCM level {code}: {count} chronic condition(s){', QMB' if facts.qmb else ''}"
    claim = TrackClaim(Track.apcm, [CodeUnits(code=code, units=1)], *_month_end_or_death(facts))
    return month.decision([why], claim)


def _below_threshold(facts: MonthFacts, by_role: dict[str, int]) -> str:
    need = "30 needed for 99426 / 99424" if facts.program == "pcm" else "20 needed for 99490"
    minutes = sum(by_role.values())
    return f"{minutes} counted minutes: under the {need} (minutes are never rounded)"


def _track_notes(facts: MonthFacts, track: Track, by_role: dict[str, int]) -> list[str]:
    """Why not another track, where a biller would ask."""
    notes = []
    pooled = sum(by_role.values())
    if facts.complex_mdm and track != Track.ccm_complex and facts.program == "ccm":
        notes.append(f"complex MDM recorded but {pooled} pooled minutes are under 60 for 99487")
    staff = by_role.get("clinical_staff", 0)
    if track in (Track.ccm_practitioner, Track.pcm_practitioner) and staff:
        # The practitioner codes describe the practitioner's personal time only (CY2022 PFS).
        notes.append(f"{staff} clinical-staff minutes are not billed on the practitioner track")
    return notes


def _month_end_or_death(facts: MonthFacts) -> tuple[date, str]:
    # The last day of the month, or the date of death if earlier (domain §7, Policy).
    end = last_day(facts.year, facts.month)
    if facts.died_on is not None and facts.died_on < end:
        return facts.died_on, "date of death"
    return end, "last day of the month"


def _date_of_service(
    facts: MonthFacts, policy: Policy, track: Track, counted: CountedTime
) -> tuple[date, str]:
    fallback = _month_end_or_death(facts)
    if not policy.bill_on_threshold_day:
        return fallback
    # CMS allows billing on the day the threshold is met (CMS CCM FAQ 2016); a practice setting.
    rule = TRACKS[track]
    moment = crossing_moment(counted.pieces, rule.minutes_of, rule.base_minutes)
    if moment is None or as_local_date(moment, facts.zone) >= fallback[0]:
        return fallback
    return as_local_date(moment, facts.zone), "day the threshold was met"
