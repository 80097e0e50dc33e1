"""Events the engine itself records: what it decided, and when. ``meta.source`` is ``engine``."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from care.decision import ClaimLine, MonthDecision
from care.facts import MonthFacts
from events.base import EventMeta, OpaqueId, PatientEvent
from events.fields import Reason, ServiceMonth

ENGINE = EventMeta(source="engine")

# Longest event id the contract accepts (events.base.OpaqueId).
_MAX_ID = 128


def decision_id(patient_id: str, *parts: str) -> str:
    """The id of a decision: the patient and what it is about (a month, a causing event).

    Store keys are unique across the whole store, so engine ids always start with the patient;
    an id that would be too long keeps its patient and a digest of the rest (still deterministic).
    """
    key = ".".join((patient_id, *parts))
    if len(key) <= _MAX_ID:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{patient_id[: _MAX_ID - 34]}.{digest}"


Phase = Literal[
    "identified",
    "eligible",
    "ineligible",
    "enrolling",
    "enrolled",
    "declined",
    "unreachable",
    "active",
    "ended",
]


class EligibilityScreened(PatientEvent):
    """The screening heuristic's answer; a clinician confirms it (no official CMS code list)."""

    type: Literal["eligibility_screened"] = "eligibility_screened"
    schema_version: Literal[1] = 1
    meta: EventMeta = ENGINE
    program: Literal["ccm", "pcm", "apcm"] | None
    conditions: list[str]
    reasons: list[str]


class PhaseChanged(PatientEvent):
    """The patient moved from one step of the program to the next."""

    type: Literal["phase_changed"] = "phase_changed"
    schema_version: Literal[1] = 1
    meta: EventMeta = ENGINE
    previous: Phase
    phase: Phase
    reason: str


class MonthAtRiskFlagged(PatientEvent):
    """On the check day, the month's minutes are short of the threshold: outreach needed."""

    type: Literal["month_at_risk_flagged"] = "month_at_risk_flagged"
    schema_version: Literal[1] = 1
    meta: EventMeta = ENGINE
    service_month: ServiceMonth
    minutes_so_far: int
    minutes_needed: int
    days_left: int
    reachable: bool


class MonthClosed(PatientEvent):
    """The month was evaluated after its grace period; the decision is final for that month.

    ``facts`` are the facts it was decided on and ``policy_version`` the practice's policy
    version in force for the month, so an auditor can decide it again. v2: the decision's codes
    are claim lines, each with its date of service (``upcast_month_closed_v1`` moves v1's
    ``g0506_on`` into a line); v3: facts and policy version (None and 0 before, by
    ``upcast_month_closed_v2``).
    """

    type: Literal["month_closed"] = "month_closed"
    schema_version: Literal[3] = 3
    meta: EventMeta = ENGINE
    service_month: ServiceMonth
    decision: MonthDecision
    facts: MonthFacts | None
    policy_version: int = Field(ge=0)
    # A corrective close (``ccm claims reopen``): the event id of the close it supersedes, and
    # why. Added without a version bump: a close without them serialises as before.
    supersedes: OpaqueId | None = None
    correction_reason: Reason | None = None

    @model_serializer(mode="wrap")
    def _omit_when_not_corrective(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A close decided again after a retry must be byte-identical to the one stored.
        data: dict[str, Any] = handler(self)
        for name in ("supersedes", "correction_reason"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


class ClaimPrepared(PatientEvent):
    """A claim for a billed month, awaiting submission. One per patient-month, ever.

    v2: ``codes`` are claim lines with their own dates of service, and the claim carries
    Medicare's ``expected_payment``; ``date_of_service`` is the latest line's (the claim's
    through date). ``upcast_claim_prepared_v1`` dates v1's codes with v1's one date.
    """

    type: Literal["claim_prepared"] = "claim_prepared"
    schema_version: Literal[2] = 2
    meta: EventMeta = ENGINE
    claim_id: OpaqueId
    service_month: ServiceMonth
    practitioner_id: OpaqueId
    codes: list[ClaimLine] = Field(min_length=1)
    date_of_service: date
    allowed_amount: Decimal | None
    patient_share: Decimal | None
    expected_payment: Decimal | None = None


class ClaimSubmitted(PatientEvent):
    """The claim was handed to the clearinghouse adapter (by default: the claims outbox)."""

    type: Literal["claim_submitted"] = "claim_submitted"
    schema_version: Literal[1] = 1
    meta: EventMeta = ENGINE
    claim_id: OpaqueId
    service_month: ServiceMonth
    submission_ref: str


class LateEntryRecorded(PatientEvent):
    """Documentation dated in a month already closed: kept and reported, never re-billed."""

    type: Literal["late_entry_recorded"] = "late_entry_recorded"
    schema_version: Literal[1] = 1
    meta: EventMeta = ENGINE
    service_month: ServiceMonth
    late_event_id: str
    late_event_type: str


DecisionEvent = Annotated[
    EligibilityScreened
    | PhaseChanged
    | MonthAtRiskFlagged
    | MonthClosed
    | ClaimPrepared
    | ClaimSubmitted
    | LateEntryRecorded,
    Field(discriminator="type"),
]
