"""When minutes cannot count: the month's exclusion windows, each named by its reason.

Whole-entry rules (role, time counted toward another service) live in ``care.minutes``; the
windows here cut time by *when* it happened (MLN909188 §"CCM services"; CMS CCM FAQ 2017).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from care.decision import ExclusionReason as R
from care.facts import MonthFacts, as_local_date
from care.gates import consent_current, initiating_visit_gate
from care.months import EARLIEST, LATEST, day_start, last_day, month_bounds
from care.policy import Policy


@dataclass(frozen=True)
class Window:
    """``[start, end)``: time in it does not count, for ``reason``."""

    reason: R
    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def exclusion_windows(facts: MonthFacts, policy: Policy) -> list[Window]:
    """Every window, in the order their reasons take precedence when windows overlap."""
    start, end = month_bounds(facts.year, facts.month, facts.zone)
    return [
        Window(R.outside_month, EARLIEST, start),
        Window(R.outside_month, end, LATEST),
        *_death(facts),
        *_revocation(facts, policy),
        *_consent(facts, policy, start),
        *_initiating_visit(facts),
        *(
            Window(R.during_inpatient_stay, s.admitted_at, s.discharged_at or LATEST)
            for s in facts.inpatient_stays
        ),
    ]


def _death(facts: MonthFacts) -> list[Window]:
    # Only minutes before death count (MLN909188). Only the date is known, so the whole day of
    # death still counts; the date of service is then the date of death (§7).
    if facts.died_on is None:
        return []
    return [Window(R.after_death, day_start(facts.died_on + timedelta(1), facts.zone), LATEST)]


def _revocation(facts: MonthFacts, policy: Policy) -> list[Window]:
    # Revocation is effective at the end of the calendar month (MLN909188); counting stops at the
    # revocation's timestamp unless the practice chose the month-end reading (Policy).
    revoked = facts.revocation
    if revoked is None:
        return []
    if policy.revocation_cutoff == "timestamp":
        return [Window(R.after_revocation, revoked, LATEST)]
    local = as_local_date(revoked, facts.zone)
    cutoff = day_start(last_day(local.year, local.month) + timedelta(1), facts.zone)
    return [Window(R.after_revocation, cutoff, LATEST)]


def _consent(facts: MonthFacts, policy: Policy, month_start: datetime) -> list[Window]:
    # Consent must be documented before the first countable minute (MLN909188).
    if facts.consent_at is None or not consent_current(facts.consent_at, month_start, policy):
        return [Window(R.no_consent, EARLIEST, LATEST)]
    return [Window(R.before_consent, EARLIEST, facts.consent_at)]


def _initiating_visit(facts: MonthFacts) -> list[Window]:
    # Only the visit's date is known: its whole day counts (MLN909188 via care.gates).
    required, visit = initiating_visit_gate(facts)
    if not required:
        return []
    if visit is None:
        return [Window(R.no_initiating_visit, EARLIEST, LATEST)]
    return [Window(R.before_initiating_visit, EARLIEST, day_start(visit.on, facts.zone))]
