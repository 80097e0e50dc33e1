"""The audit packet's list sections: time entries, other services, claim history, late entries."""

from __future__ import annotations

from datetime import datetime

from projections.reports import packet_models as m
from projections.reports.trail import AuditEventRow


def time_entries(
    rows: list[AuditEventRow], closed: AuditEventRow, start: datetime, end: datetime
) -> tuple[list[m.TimeEntryLine], list[m.TimeEntryLine]]:
    """``(counted, excluded)``: the month's documented entries, split by the month decision.

    An entry is excluded when the decision names it (with each rule and the minutes it removed)
    or when it was voided before the close; every other entry dated in the month counted.
    """
    reasons: dict[str, list[str]] = {}
    for item in closed.data["decision"]["excluded"]:
        minutes = f" ({item['minutes']} min)" if item.get("minutes") is not None else ""
        reasons.setdefault(item["entry"], []).append(f"{item['reason']}{minutes}")
    for r in rows:
        if r.type == "time_entry_voided":
            reasons.setdefault(r.data["entry_id"], []).append(f"voided: {r.data['reason']}")
    counted: list[m.TimeEntryLine] = []
    excluded: list[m.TimeEntryLine] = []
    for r in rows:
        if r.type != "time_logged" or not _in_month(r, start, end):
            continue
        line = _line(r, reasons.get(r.data["entry_id"], []))
        (excluded if line.excluded_reasons else counted).append(line)
    return counted, excluded


def _in_month(r: AuditEventRow, start: datetime, end: datetime) -> bool:
    at = r.data.get("at") or r.data.get("start")
    return at is not None and start <= datetime.fromisoformat(at) < end


def _line(r: AuditEventRow, reasons: list[str]) -> m.TimeEntryLine:
    d = r.data
    return m.TimeEntryLine(
        entry_id=d["entry_id"],
        staff_id=d["staff_id"],
        role=d["role"],
        credential=d.get("credential"),
        activity=d.get("activity", ""),
        minutes=d.get("minutes"),
        at=d.get("at"),
        start=d.get("start"),
        end=d.get("end"),
        counted_toward=d.get("counted_toward"),
        excluded_reasons=reasons,
        position=r.position,
    )


def claim_steps(rows: list[AuditEventRow], month: str) -> tuple[str | None, list[m.ClaimStep]]:
    """The month's claim id and every step of its life, in order (``(None, [])`` if none)."""
    prepared = [r for r in rows if r.type == "claim_prepared" and r.data["service_month"] == month]
    if not prepared:
        return None, []
    claim_id = str(prepared[0].data["claim_id"])
    steps = []
    for r in rows:
        if r.data.get("claim_id") != claim_id:
            continue
        if r.type == "claim_prepared":
            step, detail = "prepared", f"date of service {r.data['date_of_service']}"
        elif r.type == "claim_submitted":
            step, detail = "submitted", f"ref {r.data['submission_ref']}"
        elif r.type in REVIEW_STEPS:
            step, detail = REVIEW_STEPS[r.type], _review_detail(r)
        elif r.type == "claim_adjudicated":
            codes = ",".join(r.data["reason_codes"])
            step, detail = r.data["status"], f"paid {r.data['paid_amount']} {codes}".rstrip()
        else:
            continue
        by = r.actor or r.source
        steps.append(
            m.ClaimStep(step=step, at=r.occurred_at, by=by, detail=detail, position=r.position)
        )
    return claim_id, steps


# Review decisions (events/claims.py): ``by`` is the user, or ``policy-v<N>`` for auto-approval.
REVIEW_STEPS = {
    "claim_approved": "approved", "claim_rejected": "rejected", "claim_reopened": "reopened",
}  # fmt: skip


def _review_detail(r: AuditEventRow) -> str:
    version = r.data.get("policy_version")
    if version is not None:
        return f"auto-approved by policy version {version}"
    return str(r.data.get("reason") or "")


def services_elsewhere(rows: list[AuditEventRow], month: str) -> list[m.OtherService]:
    """Services billed by others (or conflicting ones) dated in ``month``."""
    return [
        m.OtherService(
            code=r.data["code"], on=r.data["on"], billed_by=r.data["billed_by"], position=r.position
        )
        for r in rows
        if r.type == "service_billed_elsewhere" and r.data["on"][:7] == month
    ]


def late_entries(rows: list[AuditEventRow], month: str) -> list[str]:
    """Documentation recorded after ``month`` closed, one line each."""
    return [
        f"{r.data['late_event_type']} {r.data['late_event_id']} at {r.recorded_at.isoformat()}"
        for r in rows
        if r.type == "late_entry_recorded" and r.data["service_month"] == month
    ]
