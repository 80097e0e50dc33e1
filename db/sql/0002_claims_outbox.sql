-- Claims waiting for (or handed to) the clearinghouse adapter.
-- Domain §7 / OIG A-07-17-05101: at most one CCM/PCM/APCM claim per patient per calendar month.
-- The workflow never prepares a second one; this constraint makes it impossible, not unlikely.
CREATE TABLE claims_outbox (
    claim_id        text PRIMARY KEY,
    patient_id      text NOT NULL,
    service_month   text NOT NULL CHECK (service_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    practitioner_id text NOT NULL,
    payload         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    CONSTRAINT one_claim_per_patient_month UNIQUE (patient_id, service_month)
);

CREATE INDEX claims_outbox_pending ON claims_outbox (created_at) WHERE status = 'pending';
