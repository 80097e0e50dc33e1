"""A corrective close: a closed month decided again, once, superseding its first close.

The claim keeps its id (``claim_id_for``): the correction is the same claim with new figures,
never a second claim for the month; the host writes it over the month's one outbox row.
"""

from __future__ import annotations

from care.month import evaluate_month
from events.base import EventMeta
from events.decisions import MonthClosed, decision_id
from patient.commands import Refused, Reopen
from patient.draft import Draft
from patient.due import _claim
from patient.policies import PolicyHistory


def reopen(draft: Draft, cmd: Reopen, policies: PolicyHistory) -> None:
    """Adds the corrective ``MonthClosed`` (and the corrected claim, if the month still bills);
    raises ``Refused`` naming the field when the month cannot be reopened."""
    s = draft.state
    closed = s.closed.get(cmd.month)
    if closed is None:
        raise Refused("month", "is not a closed month of this patient (or was pruned)", cmd.month)
    if closed.corrected:
        raise Refused("month", "was reopened once already", cmd.month)
    if closed.claim_id is None:
        raise Refused("month", "billed nothing: there is no claim to correct", cmd.month)
    if cmd.facts.service_month != cmd.month:
        raise Refused("facts.service_month", "is not the month reopened")
    version = policies.version_for(cmd.month)
    decision = evaluate_month(cmd.facts, version.policy, cmd.fees)
    draft.add(
        MonthClosed(
            event_id=decision_id(s.patient_id, "month-closed", cmd.month, "corrected"),
            patient_id=s.patient_id, occurred_at=cmd.at, service_month=cmd.month,
            decision=decision, facts=cmd.facts, policy_version=version.version,
            supersedes=decision_id(s.patient_id, "month-closed", cmd.month),
            correction_reason=cmd.reason, meta=EventMeta(source="engine", actor=cmd.by),
        )
    )  # fmt: skip
    if decision.bills:
        claim = _claim(draft.state, decision, cmd.at)
        draft.add(claim.model_copy(update={
            "event_id": decision_id(s.patient_id, "claim-prepared", cmd.month, "corrected")
        }))  # fmt: skip
