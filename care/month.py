"""``evaluate_month``: one patient-month's facts in, the billing decision out (domain §3-§7).

Pure and deterministic (no clock, no I/O beyond the packaged tables read once), so the workflow
can call it at month close and ``ccm billing evaluate`` gives the operator the same answer.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from care.blocks import month_blockers
from care.codes import TRACKS, choose_track, codes_for, describe, track_minutes
from care.conditions import distinct_conditions
from care.decision import CodeUnits, MonthDecision, Track
from care.eligibility import apcm_level_code
from care.facts import MonthFacts, as_local_date
from care.fees import price
from care.gates import g0506_due_on
from care.minutes import CountedTime, count_time, crossing_moment
from care.months import last_day
from care.policy import DEFAULT_POLICY, Policy
from care.windows import exclusion_windows

ZERO = Decimal("0.00")


def evaluate_month(facts: MonthFacts, policy: Policy | None = None) -> MonthDecision:
    """Decides what the month bills and why: at most one track, one claim (OIG A-07-17-05101)."""
    pol = policy or DEFAULT_POLICY
    counted = count_time(facts.time_entries, exclusion_windows(facts, pol))
    blockers = month_blockers(facts, pol)
    if blockers:
        return _bills_nothing(facts, counted, blockers)
    if facts.program == "apcm":
        return _apcm(facts, counted)
    by_role = counted.minutes_by_role()
    track = choose_track(facts.program, by_role, facts.complex_mdm)
    if track is None:
        return _bills_nothing(facts, counted, [_below_threshold(facts, counted.minutes())])
    minutes = track_minutes(track, by_role)
    codes = codes_for(track, minutes, pol)
    dos = _date_of_service(facts, pol, track, counted)
    return _bills(facts, counted, track, codes, dos, [describe(track, minutes, codes)])


def _apcm(facts: MonthFacts, counted: CountedTime) -> MonthDecision:
    # APCM has no time threshold; level by condition count and QMB (CY2025 PFS final rule).
    count = len(distinct_conditions(facts.conditions))
    code = apcm_level_code(count, facts.qmb)
    why = f"APCM level {code}: {count} chronic condition(s){', QMB' if facts.qmb else ''}"
    codes = [CodeUnits(code=code, units=1)]
    return _bills(facts, counted, Track.apcm, codes, _month_end_or_death(facts), [why])


def _below_threshold(facts: MonthFacts, minutes: int) -> str:
    need = "30 needed for 99426 / 99424" if facts.program == "pcm" else "20 needed for 99490"
    return f"{minutes} counted minutes: under the {need} (minutes are never rounded)"


def _month_end_or_death(facts: MonthFacts) -> date:
    # The last day of the month, or the date of death if earlier (domain §7, Policy).
    end = last_day(facts.year, facts.month)
    return min(end, facts.died_on) if facts.died_on is not None else end


def _date_of_service(facts: MonthFacts, policy: Policy, track: Track, counted: CountedTime) -> date:
    fallback = _month_end_or_death(facts)
    if not policy.bill_on_threshold_day:
        return fallback
    # CMS allows billing on the day the threshold is met (CMS CCM FAQ 2016); a practice setting.
    rule = TRACKS[track]
    moment = crossing_moment(counted.pieces, rule.minutes_of, rule.base_minutes)
    return fallback if moment is None else min(as_local_date(moment, facts.zone), fallback)


def _bills(
    facts: MonthFacts,
    counted: CountedTime,
    track: Track,
    codes: list[CodeUnits],
    dos: date,
    reasons: list[str],
) -> MonthDecision:
    pricing = price(codes, facts.year, facts.qmb)
    notes = [f"date of service {dos.isoformat()}"]
    if pricing.unpriced:
        missing = ", ".join(pricing.unpriced)
        notes.append(f"no CY{facts.year} amount in the fee schedule for {missing}: not guessed")
    return _decision(facts, counted, reasons + notes).model_copy(
        update={
            "track": track,
            "codes": codes,
            "date_of_service": dos,
            "allowed_amount": pricing.allowed,
            "patient_share": pricing.patient_share,
            "unpriced": pricing.unpriced,
        }
    )


def _bills_nothing(facts: MonthFacts, counted: CountedTime, reasons: list[str]) -> MonthDecision:
    return _decision(facts, counted, ["bills nothing: " + r for r in reasons])


def _decision(facts: MonthFacts, counted: CountedTime, reasons: list[str]) -> MonthDecision:
    extra = []
    if counted.excluded:
        entries = len({x.entry for x in counted.excluded})
        extra.append(f"{entries} time entr{'y' if entries == 1 else 'ies'} did not count in full")
    g0506_on = g0506_due_on(facts)
    if g0506_on is not None:
        extra.append(f"G0506 once, on the initiating visit's claim dated {g0506_on.isoformat()}")
    return MonthDecision(
        service_month=facts.service_month,
        track=None,
        codes=[],
        counted_minutes=counted.minutes(),
        minutes_by_role=counted.minutes_by_role(),
        date_of_service=None,
        allowed_amount=ZERO,
        patient_share=ZERO,
        excluded=list(counted.excluded),
        reasons=reasons + extra,
        g0506_on=g0506_on,
    )
