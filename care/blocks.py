"""Months that bill nothing whatever the minutes (domain §3, §6), in the biller's words."""

from __future__ import annotations

from collections.abc import Callable

from care.facts import MonthFacts, as_local_date
from care.gates import care_plan_in_force, consent_current, initiating_visit_gate
from care.months import month_bounds
from care.policy import Policy

# Home health / hospice care plan oversight and ESRD monthly services (MLN909188).
_CONFLICT_NAMES = {
    "G0181": "home health care plan oversight",
    "G0182": "hospice care plan oversight",
}
_ESRD = range(90951, 90971)


def conflicting_service(code: str) -> str | None:
    """The name of a service that blocks CCM in its month, or None."""
    if code in _CONFLICT_NAMES:
        return _CONFLICT_NAMES[code]
    return "ESRD monthly services" if code.isdigit() and int(code) in _ESRD else None


def month_blockers(facts: MonthFacts, policy: Policy) -> list[str]:
    """Every reason the month bills nothing regardless of minutes; empty if none applies."""
    checks: list[Callable[[MonthFacts, Policy], list[str]]] = [
        _program_exists,
        _alive_and_enrolled,
        _consent,
        _initiating_visit,
        _care_plan,
        _billed_elsewhere,
    ]
    return [reason for check in checks for reason in check(facts, policy)]


def _program_exists(facts: MonthFacts, policy: Policy) -> list[str]:
    if facts.program == "apcm" and facts.year < 2025:
        return ["APCM codes G0556-G0558 exist from January 2025 (CY2025 PFS final rule)"]
    return []


def _alive_and_enrolled(facts: MonthFacts, policy: Policy) -> list[str]:
    start, _ = month_bounds(facts.year, facts.month, facts.zone)
    reasons = []
    if facts.died_on is not None and facts.died_on < start.date():
        reasons.append("the patient died before this month")
    revoked = facts.revocation
    if revoked is not None and as_local_date(revoked, facts.zone) < start.date():
        # Revocation takes effect at the end of its month; later months need new consent
        # (MLN909188).
        reasons.append("the patient revoked consent in an earlier month; new consent is needed")
    return reasons


def _consent(facts: MonthFacts, policy: Policy) -> list[str]:
    start, end = month_bounds(facts.year, facts.month, facts.zone)
    if facts.consent_at is None or facts.consent_at >= end:
        return ["no consent on record by the end of this month (MLN909188)"]
    if not consent_current(facts.consent_at, start, policy):
        return ["consent is over a year old and the practice requires annual re-attestation"]
    return []


def _initiating_visit(facts: MonthFacts, policy: Policy) -> list[str]:
    required, visit = initiating_visit_gate(facts)
    if required and visit is None:
        years = "3 years" if facts.program == "apcm" else "12 months"
        return [
            f"an initiating visit was required (new patient or not seen within {years}) "
            "and no qualifying visit (E/M 99202-99205, 99212-99215, AWV, IPPE) is recorded"
        ]
    return []


def _care_plan(facts: MonthFacts, policy: Policy) -> list[str]:
    _, end = month_bounds(facts.year, facts.month, facts.zone)
    if not care_plan_in_force(facts.care_plan_at, end):
        return ["no comprehensive care plan in force by the end of this month (MLN909188)"]
    return []


def _billed_elsewhere(facts: MonthFacts, policy: Policy) -> list[str]:
    reasons = []
    if facts.ccm_billed_elsewhere:
        reasons.append("another practitioner already billed care management for this month")
    start, end = month_bounds(facts.year, facts.month, facts.zone)
    for service in sorted(facts.other_services, key=lambda s: (s.on, s.code)):
        name = conflicting_service(service.code)
        in_month = start.date() <= service.on < end.date()
        ours = service.by_billing_practitioner or policy.conflicts_block_whoever_billed
        if name and in_month and ours:
            reasons.append(f"the patient had {service.code} ({name}) this month, which blocks CCM")
    return list(dict.fromkeys(reasons))  # the same service twice is one reason
