"""Enrollment gates: initiating visit, consent and care plan must all hold before a minute counts.

Sources: MLN909188 ("Chronic Care Management Services") and the CY2025 PFS final rule (APCM).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from care.facts import InitiatingVisit, MonthFacts, Program, as_local_date
from care.months import years_before
from care.policy import DEFAULT_POLICY, Policy

# E/M office visits level 2-5 (99211 has no practitioner work), AWV G0438/G0439, IPPE G0402
# (MLN909188, "Initiating Visit").
_E_M_LEVELS_2_TO_5 = ("99202", "99203", "99204", "99205", "99212", "99213", "99214", "99215")
INITIATING_VISIT_CODES = frozenset((*_E_M_LEVELS_2_TO_5, "G0438", "G0439", "G0402"))

# The four things the record must show the patient was told before consenting (MLN909188).
REQUIRED_DISCLOSURES = ("availability", "cost_sharing", "stop_anytime", "one_practitioner")


def qualifies_as_initiating_visit(code: str) -> bool:
    """True for a code that can initiate CCM/PCM/APCM (MLN909188; not 99211)."""
    return code.strip().upper() in INITIATING_VISIT_CODES


def initiating_visit_required(
    last_visit_on: date | None, consent_on: date, program: Program
) -> bool:
    """A new patient, or one not seen within 12 months before consent (APCM: 3 years), needs an
    initiating visit (MLN909188; CY2025 PFS final rule for APCM's 3 years)."""
    if last_visit_on is None:
        return True
    years = 3 if program == "apcm" else 1
    return last_visit_on < years_before(consent_on, years)


def missing_disclosures(
    *, availability: bool, cost_sharing: bool, stop_anytime: bool, one_practitioner: bool
) -> list[str]:
    """Names of the required disclosures the consent record lacks; empty means complete.

    Call as ``missing_disclosures(**disclosures.model_dump())`` with the upstream model.
    """
    given = {
        "availability": availability,
        "cost_sharing": cost_sharing,
        "stop_anytime": stop_anytime,
        "one_practitioner": one_practitioner,
    }
    return [name for name in REQUIRED_DISCLOSURES if not given[name]]


def care_plan_in_force(care_plan_at: datetime | None, month_end: datetime) -> bool:
    """A comprehensive care plan must be in force by the end of the month (MLN909188)."""
    return care_plan_at is not None and care_plan_at < month_end


def consent_current(
    consent_at: datetime | None, month_start: datetime, policy: Policy | None = None
) -> bool:
    """Consent does not expire (MLN909188); with the optional annual re-attestation policy on, a
    consent older than a year at the month's start must be renewed first."""
    if consent_at is None:
        return False
    if not (policy or DEFAULT_POLICY).consent_annual_reattestation:
        return True
    local = consent_at.astimezone(month_start.tzinfo).date()
    return local >= years_before(month_start.date(), 1)


def g0506_due_on(facts: MonthFacts, month_end: datetime) -> date | None:
    """The date of service of G0506 when this month makes it billable, else None.

    G0506 is added once per patient per billing practitioner to the initiating visit at which
    the practitioner personally did the extensive assessment and care planning; its date of
    service is the visit's (MLN909188). The engine lists it in the first month it closes that
    ends after the visit with consent and a care plan on record (the care planning G0506 pays
    for), so a visit before the first billable month is never lost. Not offered with APCM.
    """
    visit = facts.initiating_visit
    if visit is None or not visit.g0506 or facts.g0506_billed_before or facts.program == "apcm":
        return None
    if not qualifies_as_initiating_visit(visit.code):
        return None
    if facts.consent_at is None or facts.consent_at >= month_end:
        return None
    if not care_plan_in_force(facts.care_plan_at, month_end):
        return None
    # month_end is local midnight starting the next month, so its date is the next month's 1st.
    return visit.on if visit.on < month_end.date() else None


def initiating_visit_gate(facts: MonthFacts) -> tuple[bool, InitiatingVisit | None]:
    """Whether the month's consent needs an initiating visit, and the qualifying one if any.

    A new patient or one not seen within 12 months (APCM: 3 years) needs a face-to-face
    initiating visit before care management starts (MLN909188). Without consent: not required.
    """
    if facts.consent_at is None:
        return False, None
    consent_on = as_local_date(facts.consent_at, facts.zone)
    if not initiating_visit_required(facts.last_visit_on, consent_on, facts.program):
        return False, None
    visit = facts.initiating_visit
    return True, visit if visit is not None and qualifies_as_initiating_visit(visit.code) else None


def outreach_exhausted(
    attempts: Sequence[tuple[datetime, str]], now: datetime, policy: Policy
) -> bool:
    """Enrollment outreach has run out: the configured number of attempts failed, or the
    window since the first attempt passed without consent (both practice policies)."""
    failed = [at for at, outcome in attempts if outcome != "reached"]
    if len(failed) >= policy.outreach_attempts:
        return True
    if not attempts:
        return False
    first = min(at for at, _ in attempts)
    return (now - first).days >= policy.outreach_window_days
