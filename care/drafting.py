"""Assembling a month's ``MonthDecision``: its lines, prices and the notes a biller reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from care.decision import ClaimLine, CodeUnits, MonthDecision, Track, TrackCandidate
from care.facts import MonthFacts
from care.fees import FeeSchedule, price
from care.minutes import CountedTime
from care.policy import Policy


@dataclass(frozen=True)
class TrackClaim:
    """The chosen track's codes and their one date of service."""

    track: Track
    codes: list[CodeUnits]
    date_of_service: date
    date_why: str

    def lines(self) -> list[ClaimLine]:
        dos = self.date_of_service
        return [ClaimLine(code=c.code, units=c.units, date_of_service=dos) for c in self.codes]


@dataclass(frozen=True)
class MonthDraft:
    """What every decision of one month shares: its facts, counted time, policy, fees and the
    lines due whatever the track (G0506)."""

    facts: MonthFacts
    counted: CountedTime
    policy: Policy
    fees: FeeSchedule
    extra: list[ClaimLine]

    @property
    def nothing(self) -> str:
        """How a reason for no care-management code starts: nothing at all, or G0506 only."""
        return "no care-management code: " if self.extra else "bills nothing: "

    def decision(
        self,
        reasons: list[str],
        claim: TrackClaim | None = None,
        candidates: list[TrackCandidate] | None = None,
    ) -> MonthDecision:
        """The decision; without a track or G0506 it bills nothing (amounts 0.00)."""
        facts, counted = self.facts, self.counted
        lines = (claim.lines() if claim else []) + self.extra
        pricing = price(lines, facts.year, facts.qmb, self.fees, self.policy)
        return MonthDecision(
            service_month=facts.service_month,
            track=claim.track if claim else None,
            codes=lines,
            counted_minutes=counted.minutes(),
            minutes_by_role=counted.minutes_by_role(),
            date_of_service=claim.date_of_service if claim else None,
            allowed_amount=pricing.allowed,
            patient_share=pricing.patient_share,
            expected_payment=pricing.expected_payment,
            unpriced=pricing.unpriced,
            excluded=list(counted.excluded),
            reasons=reasons + self._notes(claim, pricing.unpriced),
            candidates=candidates or [],
            fee_schedule=self.fees.label,
        )

    def _notes(self, claim: TrackClaim | None, unpriced: list[str]) -> list[str]:
        notes = []
        if claim is not None:
            notes.append(f"date of service {claim.date_of_service.isoformat()} ({claim.date_why})")
        if unpriced:
            year = self.facts.year
            notes.append(
                f"no CY{year} amount in the {self.fees.label} fee schedule for "
                f"{', '.join(unpriced)}: not guessed"
            )
        if self.counted.excluded:
            n = len({x.entry for x in self.counted.excluded})
            notes.append(f"{n} time entr{'y' if n == 1 else 'ies'} did not count in full")
        notes += [
            f"{line.code} once, dated {line.date_of_service.isoformat()}: the initiating visit's "
            "extensive assessment and care planning (MLN909188)"
            for line in self.extra
        ]
        return notes
