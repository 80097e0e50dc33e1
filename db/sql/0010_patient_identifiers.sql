-- Patient identifiers of other systems mapped to the engine's opaque patient id.
--
-- HL7v2 ADT names a patient by PID-3 (an MRN and its assigning authority), a FHIR server by
-- Patient.identifier (a system URI and a value); neither ever by name. Each (system, value) names
-- one engine patient, forever: a link is never changed or removed (a wrong link is a merge for
-- the practice to sort out, not an UPDATE), so an ADT message can never be moved to another
-- patient's stream after the fact. `ccm patients link` writes it; the MLLP listener and
-- `ccm ingest --format hl7` read it. An MRN is an identifier of the person (PHI): the report role
-- gets no access, and no log line, ACK or reject file ever shows a value.

CREATE TABLE patient_identifiers (
    system     text NOT NULL CHECK (length(system) BETWEEN 1 AND 200),
    value      text NOT NULL CHECK (length(value) BETWEEN 1 AND 200),
    patient_id text NOT NULL
        CHECK (length(patient_id) <= 128 AND patient_id ~ '^[A-Za-z0-9][A-Za-z0-9._:@/-]*$'),
    linked_at  timestamptz NOT NULL DEFAULT now(),
    linked_by  text CHECK (length(linked_by) <= 128),
    PRIMARY KEY (system, value)
);

CREATE INDEX patient_identifiers_patient ON patient_identifiers (patient_id);

CREATE FUNCTION ccm_refuse_identifier_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: an identifier names one patient forever',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'CCM03';
END
$$;

CREATE TRIGGER patient_identifiers_refuse_change BEFORE UPDATE OR DELETE ON patient_identifiers
    FOR EACH ROW EXECUTE FUNCTION ccm_refuse_identifier_change();

-- The listener, ingest and `ccm patients link` run as the app role: they read and add links.
GRANT SELECT, INSERT ON patient_identifiers TO ccm_app;
