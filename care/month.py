"""``evaluate_month``: one patient-month's facts in, the billing decision out (domain §3-§7).

Pure and deterministic (no clock, no I/O beyond the packaged tables read once), so the workflow
can call it at month close and ``ccm billing evaluate`` gives the operator the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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


def evaluate_month(facts: MonthFacts, policy: Policy | None = None) -> MonthDecision:
    """Decides what the month bills and why: at most one track, one claim (OIG A-07-17-05101)."""
    pol = policy or DEFAULT_POLICY
    counted = count_time(facts.time_entries, exclusion_windows(facts, pol))
    blockers = month_blockers(facts, pol)
    if blockers:
        return _decision(facts, counted, ["bills nothing: " + r for r in blockers])
    if facts.program == "apcm":
        return _apcm(facts, counted)
    by_role = counted.minutes_by_role()
    track = choose_track(facts.program, by_role, facts.complex_mdm)
    if track is None:
        return _decision(facts, counted, ["bills nothing: " + _below_threshold(facts, by_role)])
    minutes = track_minutes(track, by_role)
    codes = codes_for(track, minutes, pol)
    dos, dos_why = _date_of_service(facts, pol, track, counted)
    reasons = [describe(track, minutes, codes), *_track_notes(facts, track, by_role)]
    return _decision(facts, counted, reasons, _Claim(track, codes, dos, dos_why))


@dataclass(frozen=True)
class _Claim:
    track: Track
    codes: list[CodeUnits]
    date_of_service: date
    date_why: str


def _apcm(facts: MonthFacts, counted: CountedTime) -> MonthDecision:
    # APCM has no time threshold; level by condition count and QMB (CY2025 PFS final rule).
    count = len(distinct_conditions(facts.conditions))
    code = apcm_level_code(count, facts.qmb)
    why = f"APCM level {code}: {count} chronic condition(s){', QMB' if facts.qmb else ''}"
    claim = _Claim(Track.apcm, [CodeUnits(code=code, units=1)], *_month_end_or_death(facts))
    return _decision(facts, counted, [why], claim)


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


def _decision(
    facts: MonthFacts, counted: CountedTime, reasons: list[str], claim: _Claim | None = None
) -> MonthDecision:
    """The decision; without a claim it bills nothing (amounts 0.00, no date of service)."""
    pricing = price(claim.codes if claim else [], facts.year, facts.qmb)
    g0506_on = g0506_due_on(facts)
    return MonthDecision(
        service_month=facts.service_month,
        track=claim.track if claim else None,
        codes=claim.codes if claim else [],
        counted_minutes=counted.minutes(),
        minutes_by_role=counted.minutes_by_role(),
        date_of_service=claim.date_of_service if claim else None,
        allowed_amount=pricing.allowed,
        patient_share=pricing.patient_share,
        unpriced=pricing.unpriced,
        excluded=list(counted.excluded),
        reasons=reasons + _notes(facts.year, counted, claim, pricing.unpriced, g0506_on),
        g0506_on=g0506_on,
    )


def _notes(
    year: int, counted: CountedTime, claim: _Claim | None, unpriced: list[str], g0506: date | None
) -> list[str]:
    notes = []
    if claim is not None:
        notes.append(f"date of service {claim.date_of_service.isoformat()} ({claim.date_why})")
    if unpriced:
        notes.append(
            f"no CY{year} amount in the fee schedule for {', '.join(unpriced)}: not guessed"
        )
    if counted.excluded:
        entries = len({x.entry for x in counted.excluded})
        notes.append(f"{entries} time entr{'y' if entries == 1 else 'ies'} did not count in full")
    if g0506 is not None:
        notes.append(f"G0506 once, on the initiating visit's claim dated {g0506.isoformat()}")
    return notes
