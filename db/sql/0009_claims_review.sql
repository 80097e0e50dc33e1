-- Claims review, export and remittance (issue 15).
--
-- The claims_outbox row written at month close is the claim awaiting review: its review columns
-- change with each decision, in the same transaction as the decision's event (a `claim-<id>`
-- stream, events/claims.py), so the row and the record never disagree. A rejected claim is
-- reopened at most once and always on the same row: the one-claim-per-patient-month constraint
-- of 0002 holds through approvals, rejections and corrections.
ALTER TABLE claims_outbox
    ADD COLUMN review_status  text NOT NULL DEFAULT 'awaiting'
        CHECK (review_status IN ('awaiting', 'approved', 'rejected')),
    ADD COLUMN reviewed_by    text,
    ADD COLUMN reviewed_at    timestamptz,
    ADD COLUMN review_reason  text,
    ADD COLUMN review_policy_version integer,
    ADD COLUMN reopen_count   integer NOT NULL DEFAULT 0 CHECK (reopen_count BETWEEN 0 AND 1);

CREATE INDEX claims_outbox_review ON claims_outbox (review_status, service_month);

-- One row per file written. The interchange control number (ISA13) comes from one sequence, so
-- no two files share one; a claim's first export is its original (frequency 1), a later export of
-- the same claim a replacement (frequency 7) and only when asked for.
CREATE SEQUENCE claim_interchange_numbers MINVALUE 1 MAXVALUE 999999999 NO CYCLE;

CREATE TABLE claim_exports (
    interchange_control_number integer PRIMARY KEY,
    format       text NOT NULL CHECK (format IN ('x12-837p', 'csv')),
    file_name    text NOT NULL,
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    exported_by  text NOT NULL,
    exported_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE claim_export_items (
    interchange_control_number integer NOT NULL REFERENCES claim_exports,
    claim_id     text NOT NULL REFERENCES claims_outbox (claim_id),
    frequency    text NOT NULL CHECK (frequency IN ('original', 'replacement')),
    PRIMARY KEY (interchange_control_number, claim_id)
);
-- Never a second original for one claim in one format.
CREATE UNIQUE INDEX claim_export_one_original ON claim_export_items (claim_id)
    WHERE frequency = 'original';

-- Remittances (835) as imported: every CLP, matched to a claim or not. An unmatched one waits
-- on the reconciliation list (`ccm report remittance --unmatched`), never dropped.
CREATE TABLE remittance_files (
    remittance_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256        text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    file_name     text NOT NULL,
    payer         text,
    check_number  text,
    paid_on       date,
    imported_by   text NOT NULL,
    imported_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE remittance_claims (
    remittance_id        bigint NOT NULL REFERENCES remittance_files,
    seq                  integer NOT NULL,
    submitted_claim_id   text NOT NULL,        -- CLP01, the claim id the 837P carried (CLM01)
    claim_id             text REFERENCES claims_outbox (claim_id),  -- null: unmatched
    status_code          text NOT NULL,        -- CLP02 (1 paid, 4 denied, 22 reversal, ...)
    outcome              text NOT NULL,
    charge_amount        numeric(12, 2) NOT NULL,
    paid_amount          numeric(12, 2) NOT NULL,
    patient_responsibility numeric(12, 2),
    payer_claim_control_number text,
    adjustments          jsonb NOT NULL DEFAULT '[]',
    remarks              text[] NOT NULL DEFAULT '{}',
    event_id             text,                 -- the claim_adjudicated it became
    PRIMARY KEY (remittance_id, seq)
);
CREATE INDEX remittance_claims_claim ON remittance_claims (claim_id);

-- Acknowledgements (999, 277CA) per interchange or claim, when one was imported.
CREATE TABLE claim_acks (
    ack_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('999', '277CA')),
    interchange_control_number integer,
    claim_id     text,
    status       text NOT NULL,                -- 999 IK5/AK9: A, E, R; 277CA STC category: A1, A3...
    received_at  timestamptz NOT NULL DEFAULT now()
);

-- The app role records decisions, exports and remittances; the report role reads them.
GRANT UPDATE (review_status, reviewed_by, reviewed_at, review_reason, review_policy_version,
              reopen_count, payload)
    ON claims_outbox TO ccm_app;
GRANT SELECT, INSERT ON claim_exports, claim_export_items, remittance_files, remittance_claims,
    claim_acks TO ccm_app;
GRANT USAGE ON SEQUENCE claim_interchange_numbers TO ccm_app;
GRANT SELECT ON claims_outbox, claim_exports, claim_export_items, remittance_files,
    remittance_claims, claim_acks TO ccm_report;
