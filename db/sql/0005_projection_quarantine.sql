-- A projection that cannot apply one patient's event sets that patient aside (quarantine) and
-- carries on with every other patient; `ccm projections retry` (and every runner start) tries
-- the patient's events again from the one that failed. Opaque stream names and event types only.
CREATE TABLE projection_quarantine (
    projection     text NOT NULL,           -- the checkpoint key (`ledger`, `ledger@rebuild`)
    stream         text NOT NULL,
    position       bigint NOT NULL,         -- the first event of the stream not applied
    event_type     text NOT NULL,
    reason         text NOT NULL,
    quarantined_at timestamptz NOT NULL DEFAULT now(),
    attempts       integer NOT NULL DEFAULT 1,
    retried_at     timestamptz,
    PRIMARY KEY (projection, stream)
);
