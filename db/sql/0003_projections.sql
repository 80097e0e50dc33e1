-- Read models built by the projection runner (projections/). Every table here is derived from the
-- events table and can be rebuilt from position 0 (`ccm projections rebuild`); none holds a fact of
-- its own. Identifiers and codes only: no names, birth dates or MBIs.
--
-- The runner writes a projection's rows and its checkpoint in one transaction (the tracking-table
-- pattern), so each event is applied exactly once. Rebuilds clone these tables with
-- `CREATE TABLE ... (LIKE ... INCLUDING ALL)`: keep keys on natural columns (no serial/identity).

CREATE TABLE projection_checkpoints (
    projection     text PRIMARY KEY,
    position       bigint NOT NULL DEFAULT 0,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- Set when an event could not be applied; the projection stops there until fixed or rebuilt.
    error_position bigint,
    error_type     text,
    error_message  text,
    error_at       timestamptz
);

-- audit: every event of every patient, in order, with provenance and a PHI-free payload.
CREATE TABLE audit_events (
    position       bigint PRIMARY KEY,
    patient_id     text NOT NULL,
    version        integer NOT NULL,
    event_id       text NOT NULL,
    type           text NOT NULL,
    schema_version integer NOT NULL,
    source         text NOT NULL,
    actor          text,
    occurred_at    timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL,
    summary        text NOT NULL,
    data           jsonb NOT NULL
);
CREATE INDEX audit_events_patient ON audit_events (patient_id, position);

-- ledger: one row per closed patient-month, with its claim's life.
CREATE TABLE ledger_months (
    patient_id             text NOT NULL,
    service_month          text NOT NULL,
    closed_at              timestamptz,
    bills                  boolean NOT NULL DEFAULT false,
    track                  text,
    counted_minutes        integer NOT NULL DEFAULT 0,
    clinical_staff_minutes integer NOT NULL DEFAULT 0,
    practitioner_minutes   integer NOT NULL DEFAULT 0,
    codes                  jsonb NOT NULL DEFAULT '[]',
    date_of_service        date,
    expected_allowed       numeric(12, 2),
    patient_share          numeric(12, 2),
    unpriced               text[] NOT NULL DEFAULT '{}',
    practitioner_id        text,
    claim_id               text,
    claim_status           text,
    prepared_at            timestamptz,
    submitted_at           timestamptz,
    submission_ref         text,
    adjudicated_at         timestamptz,
    paid_amount            numeric(12, 2),
    reason_codes           text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (patient_id, service_month)
);
CREATE INDEX ledger_months_month ON ledger_months (service_month);
CREATE INDEX ledger_months_claim ON ledger_months (claim_id);

CREATE TABLE ledger_late_entries (
    position        bigint PRIMARY KEY,
    patient_id      text NOT NULL,
    service_month   text NOT NULL,
    late_event_id   text NOT NULL,
    late_event_type text NOT NULL,
    recorded_at     timestamptz NOT NULL
);

-- funnel: every phase a patient entered, in order (the first row is `identified`).
CREATE TABLE funnel_transitions (
    position    bigint PRIMARY KEY,
    patient_id  text NOT NULL,
    previous    text,
    phase       text NOT NULL,
    reason      text NOT NULL,
    occurred_at timestamptz NOT NULL
);
CREATE INDEX funnel_transitions_patient ON funnel_transitions (patient_id, position);

-- worklist: who is active, and the facts a month's progress is computed from (care.progress).
CREATE TABLE worklist_patients (
    patient_id      text PRIMARY KEY,
    practice_id     text,
    practitioner_id text,
    program         text,
    phase           text NOT NULL DEFAULT 'identified',
    phase_since     timestamptz
);

-- One row per relevant event, payload without demographics; `at` is when the fact happened
-- (a time entry's own time), so a month's entries are found by range.
CREATE TABLE worklist_facts (
    position       bigint PRIMARY KEY,
    patient_id     text NOT NULL,
    type           text NOT NULL,
    schema_version integer NOT NULL,
    at             timestamptz NOT NULL,
    data           jsonb NOT NULL
);
CREATE INDEX worklist_facts_patient ON worklist_facts (patient_id, position);
