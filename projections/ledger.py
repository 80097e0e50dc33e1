"""The reimbursement ledger: one row per closed patient-month and the life of its claim.

Statements run in causal order (close, prepare, submit, adjudicate), and each writes its own
columns, so flushing a batch statement by statement equals applying its events one by one.
``claim_status`` only moves forward (prepared < submitted < paid/denied) for the same reason; a
second remittance for one claim (a denial overturned on appeal) replaces the first.
"""

from __future__ import annotations

import json

from care.decision import ClaimLine
from events.decisions import ClaimPrepared, ClaimSubmitted, LateEntryRecorded, MonthClosed
from events.store import StoredEvent
from events.upstream import ClaimAdjudicated
from projections.base import Copy, Projection, Sql, Writes

CLOSE = Sql("""
INSERT INTO ledger_months (patient_id, service_month, closed_at, bills, track, counted_minutes,
    clinical_staff_minutes, practitioner_minutes, codes, date_of_service, expected_allowed,
    patient_share, unpriced, expected_payment, reasons)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13, $14, $15)
ON CONFLICT (patient_id, service_month) DO UPDATE SET closed_at = EXCLUDED.closed_at,
    bills = EXCLUDED.bills, track = EXCLUDED.track, counted_minutes = EXCLUDED.counted_minutes,
    clinical_staff_minutes = EXCLUDED.clinical_staff_minutes,
    practitioner_minutes = EXCLUDED.practitioner_minutes, codes = EXCLUDED.codes,
    date_of_service = EXCLUDED.date_of_service, expected_allowed = EXCLUDED.expected_allowed,
    patient_share = EXCLUDED.patient_share, unpriced = EXCLUDED.unpriced,
    expected_payment = EXCLUDED.expected_payment, reasons = EXCLUDED.reasons
""")

# A claim's own figures win over the month decision's: they are what was actually billed.
PREPARE = Sql("""
INSERT INTO ledger_months (patient_id, service_month, practitioner_id, claim_id, claim_status,
    prepared_at, codes, date_of_service, expected_allowed, patient_share, expected_payment, bills)
VALUES ($1, $2, $3, $4, 'prepared', $5, $6::jsonb, $7, $8, $9, $10, true)
ON CONFLICT (patient_id, service_month) DO UPDATE SET practitioner_id = EXCLUDED.practitioner_id,
    claim_id = EXCLUDED.claim_id, prepared_at = EXCLUDED.prepared_at, codes = EXCLUDED.codes,
    date_of_service = EXCLUDED.date_of_service, expected_allowed = EXCLUDED.expected_allowed,
    patient_share = EXCLUDED.patient_share,
    expected_payment = COALESCE(EXCLUDED.expected_payment, ledger_months.expected_payment),
    bills = true, claim_status = COALESCE(ledger_months.claim_status, 'prepared')
""")

SUBMIT = Sql("""
UPDATE ledger_months SET submitted_at = $3, submission_ref = $4,
    claim_status = CASE WHEN claim_status IN ('paid', 'denied') THEN claim_status
                        ELSE 'submitted' END
WHERE patient_id = $1 AND claim_id = $2
""")

ADJUDICATE = Sql("""
UPDATE ledger_months SET claim_status = $3, paid_amount = $4, reason_codes = $5,
    adjudicated_at = $6
WHERE patient_id = $1 AND claim_id = $2
""")

LATE = Copy(
    "ledger_late_entries",
    ("position", "patient_id", "service_month", "late_event_id", "late_event_type", "recorded_at"),
)

projection = Projection(
    "ledger",
    tables=("ledger_months", "ledger_late_entries"),
    statements=(CLOSE, PREPARE, SUBMIT, ADJUDICATE, LATE),
)


def _lines_json(lines: list[ClaimLine]) -> str:
    """Claim lines as the ledger keeps them: ``[{code, units, date_of_service}]``."""
    return json.dumps([line.model_dump(mode="json") for line in lines], separators=(",", ":"))


@projection.on(MonthClosed)
def month_closed(w: Writes, s: StoredEvent, e: MonthClosed) -> None:
    d = e.decision
    by_role = d.minutes_by_role
    w.add(
        CLOSE,
        e.patient_id,
        e.service_month,
        e.occurred_at,
        d.bills,
        d.track.value if d.track is not None else None,
        d.counted_minutes,
        by_role.get("clinical_staff", 0),
        by_role.get("practitioner", 0),
        _lines_json(d.codes),
        d.date_of_service,
        d.allowed_amount,
        d.patient_share,
        list(d.unpriced),
        d.expected_payment,
        list(d.reasons),
    )


@projection.on(ClaimPrepared)
def claim_prepared(w: Writes, s: StoredEvent, e: ClaimPrepared) -> None:
    w.add(
        PREPARE,
        e.patient_id,
        e.service_month,
        e.practitioner_id,
        e.claim_id,
        e.occurred_at,
        _lines_json(e.codes),
        e.date_of_service,
        e.allowed_amount,
        e.patient_share,
        e.expected_payment,
    )


@projection.on(ClaimSubmitted)
def claim_submitted(w: Writes, s: StoredEvent, e: ClaimSubmitted) -> None:
    w.add(SUBMIT, e.patient_id, e.claim_id, e.occurred_at, e.submission_ref)


@projection.on(ClaimAdjudicated)
def claim_adjudicated(w: Writes, s: StoredEvent, e: ClaimAdjudicated) -> None:
    w.add(
        ADJUDICATE, e.patient_id, e.claim_id, e.status, e.paid_amount, e.reason_codes, e.occurred_at
    )


@projection.on(LateEntryRecorded)
def late_entry(w: Writes, s: StoredEvent, e: LateEntryRecorded) -> None:
    w.add(
        LATE,
        s.position,
        e.patient_id,
        e.service_month,
        e.late_event_id,
        e.late_event_type,
        s.recorded_at,
    )
