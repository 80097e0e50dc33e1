"""The reimbursement ledger: one row per closed patient-month and the life of its claim.

Statements run in causal order (close, prepare, submit, adjudicate), each over every event of
its type in the batch, inside PostgreSQL (``projections.set_sql``); where two events of a batch
write the same row, the later one wins, as applying them one by one would give.
``claim_status`` only moves forward (prepared < submitted < paid/denied); a second remittance for
one claim (a denial overturned on appeal) replaces the first."""

from __future__ import annotations

from events.decisions import ClaimPrepared, ClaimSubmitted, LateEntryRecorded, MonthClosed
from events.store import StoredEvent
from events.upstream import ClaimAdjudicated
from projections.base import Copy, Projection, Writes
from projections.set_sql import IN_SPAN, SetSql

# Each statement reads its events in the database (projections.set_sql): the ledger's bulk is
# month closes and claim events, and decoding them in Python was most of a catch-up's cost.
CLOSE = SetSql(
    MonthClosed,
    """
INSERT INTO ledger_months (patient_id, service_month, closed_at, bills, track, counted_minutes,
    clinical_staff_minutes, practitioner_minutes, codes, date_of_service, expected_allowed,
    patient_share, unpriced, expected_payment, reasons)
SELECT DISTINCT ON (p->>'patient_id', p->>'service_month')
    p->>'patient_id', p->>'service_month', (p->>'occurred_at')::timestamptz,
    jsonb_array_length(d->'codes') > 0, d->>'track', (d->>'counted_minutes')::int,
    coalesce((d->'minutes_by_role'->>'clinical_staff')::int, 0),
    coalesce((d->'minutes_by_role'->>'practitioner')::int, 0), d->'codes',
    (d->>'date_of_service')::date, (d->>'allowed_amount')::numeric,
    (d->>'patient_share')::numeric, ARRAY(SELECT jsonb_array_elements_text(d->'unpriced')),
    (d->>'expected_payment')::numeric, ARRAY(SELECT jsonb_array_elements_text(d->'reasons'))
FROM (SELECT position, p, p->'decision' AS d FROM src) closes
ORDER BY p->>'patient_id', p->>'service_month', position DESC
ON CONFLICT (patient_id, service_month) DO UPDATE SET closed_at = EXCLUDED.closed_at,
    bills = EXCLUDED.bills, track = EXCLUDED.track, counted_minutes = EXCLUDED.counted_minutes,
    clinical_staff_minutes = EXCLUDED.clinical_staff_minutes,
    practitioner_minutes = EXCLUDED.practitioner_minutes, codes = EXCLUDED.codes,
    date_of_service = EXCLUDED.date_of_service, expected_allowed = EXCLUDED.expected_allowed,
    patient_share = EXCLUDED.patient_share, unpriced = EXCLUDED.unpriced,
    expected_payment = EXCLUDED.expected_payment, reasons = EXCLUDED.reasons
""",
)

# A claim's own figures win over the month decision's: they are what was actually billed. A
# preparation without an expected payment keeps the last one known (``kept``: the latest non-null
# in the span, else the row's own). A month closed again after its claim in the same span (a
# reopen's corrective close, which CLOSE has just written) keeps that close's figures: the claim
# only names itself (``superseded``), as applying the events one by one would leave it.
PREPARE = SetSql(
    ClaimPrepared,
    f"""
, closed AS (
    SELECT stream, payload::jsonb->>'service_month' AS service_month, max(position) AS position
    FROM events WHERE {IN_SPAN} AND type = 'month_closed'
    GROUP BY 1, 2
), prepared AS (
    SELECT src.position, p, p->>'patient_id' AS patient_id, p->>'service_month' AS service_month,
        (p->>'expected_payment')::numeric AS payment, src.position > coalesce(c.position, 0) AS live
    FROM src LEFT JOIN closed c ON c.stream = src.stream AND c.service_month = p->>'service_month'
), claims AS (
    SELECT DISTINCT ON (patient_id, service_month) patient_id, service_month, p,
        NOT live AS superseded,
        first_value(CASE WHEN live THEN payment END) OVER (PARTITION BY patient_id, service_month
            ORDER BY NOT live OR payment IS NULL, position DESC) AS kept
    FROM prepared ORDER BY patient_id, service_month, position DESC
), named AS (
    UPDATE ledger_months l SET practitioner_id = c.p->>'practitioner_id',
        claim_id = c.p->>'claim_id', prepared_at = (c.p->>'occurred_at')::timestamptz,
        claim_status = COALESCE(l.claim_status, 'prepared')
    FROM claims c
    WHERE c.superseded AND l.patient_id = c.patient_id AND l.service_month = c.service_month
)
INSERT INTO ledger_months (patient_id, service_month, practitioner_id, claim_id, claim_status,
    prepared_at, codes, date_of_service, expected_allowed, patient_share, expected_payment, bills)
SELECT patient_id, service_month, p->>'practitioner_id', p->>'claim_id', 'prepared',
    (p->>'occurred_at')::timestamptz, p->'codes', (p->>'date_of_service')::date,
    (p->>'allowed_amount')::numeric, (p->>'patient_share')::numeric, kept, true
FROM claims WHERE NOT superseded
ON CONFLICT (patient_id, service_month) DO UPDATE SET practitioner_id = EXCLUDED.practitioner_id,
    claim_id = EXCLUDED.claim_id, prepared_at = EXCLUDED.prepared_at, codes = EXCLUDED.codes,
    date_of_service = EXCLUDED.date_of_service, expected_allowed = EXCLUDED.expected_allowed,
    patient_share = EXCLUDED.patient_share,
    expected_payment = COALESCE(EXCLUDED.expected_payment, ledger_months.expected_payment),
    bills = true, claim_status = COALESCE(ledger_months.claim_status, 'prepared')
""",
)

SUBMIT = SetSql(
    ClaimSubmitted,
    """
UPDATE ledger_months l SET submitted_at = s.at, submission_ref = s.ref,
    claim_status = CASE WHEN l.claim_status IN ('paid', 'denied') THEN l.claim_status
                        ELSE 'submitted' END
FROM (SELECT DISTINCT ON (p->>'patient_id', p->>'claim_id') p->>'patient_id' AS patient_id,
          p->>'claim_id' AS claim_id, (p->>'occurred_at')::timestamptz AS at,
          p->>'submission_ref' AS ref
      FROM src ORDER BY p->>'patient_id', p->>'claim_id', position DESC) s
WHERE l.patient_id = s.patient_id AND l.claim_id = s.claim_id
""",
)

ADJUDICATE = SetSql(
    ClaimAdjudicated,
    """
UPDATE ledger_months l SET claim_status = a.status, paid_amount = a.paid,
    reason_codes = a.reasons, adjudicated_at = a.at
FROM (SELECT DISTINCT ON (p->>'patient_id', p->>'claim_id') p->>'patient_id' AS patient_id,
          p->>'claim_id' AS claim_id, p->>'status' AS status,
          (p->>'paid_amount')::numeric AS paid,
          ARRAY(SELECT jsonb_array_elements_text(p->'reason_codes')) AS reasons,
          (p->>'occurred_at')::timestamptz AS at
      FROM src ORDER BY p->>'patient_id', p->>'claim_id', position DESC) a
WHERE l.patient_id = a.patient_id AND l.claim_id = a.claim_id
""",
)

LATE = Copy(
    "ledger_late_entries",
    ("position", "patient_id", "service_month", "late_event_id", "late_event_type", "recorded_at"),
)

projection = Projection(
    "ledger",
    tables=("ledger_months", "ledger_late_entries"),
    statements=(CLOSE, PREPARE, SUBMIT, ADJUDICATE, LATE),
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
