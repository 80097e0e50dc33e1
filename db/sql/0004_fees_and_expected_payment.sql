-- A practice's own fee schedules (`ccm fees import`), versioned by year and effective date, and
-- Medicare's expected payment beside each ledger month's allowed amount.
--
-- An import is never changed or removed: a corrected file is imported again and the latest import
-- with the latest effective date on or before a month's last day prices that month. Only the codes
-- the engine bills are kept (care-management, APCM and G0506).

CREATE TABLE fee_schedules (
    schedule_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    practice_id    text NOT NULL,
    year           integer NOT NULL CHECK (year BETWEEN 2015 AND 2200),
    effective_from date NOT NULL,
    locality       text,
    source_file    text NOT NULL,
    sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    imported_at    timestamptz NOT NULL DEFAULT now(),
    imported_by    text,
    CHECK (extract(year FROM effective_from) = year),
    -- The same file imported twice for the same practice, year and date is one version.
    UNIQUE (practice_id, year, effective_from, sha256)
);

CREATE TABLE fee_schedule_amounts (
    schedule_id bigint NOT NULL REFERENCES fee_schedules (schedule_id),
    code        text NOT NULL CHECK (code ~ '^([0-9]{5}|[A-Z][0-9]{4})$'),
    allowed     numeric(10, 2) NOT NULL CHECK (allowed >= 0),
    PRIMARY KEY (schedule_id, code)
);

CREATE FUNCTION ccm_refuse_fee_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: an imported fee schedule is kept as imported; import again',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'CCM03';
END
$$;

CREATE TRIGGER fee_schedules_refuse_change BEFORE UPDATE OR DELETE ON fee_schedules
    FOR EACH ROW EXECUTE FUNCTION ccm_refuse_fee_change();
CREATE TRIGGER fee_schedule_amounts_refuse_change BEFORE UPDATE OR DELETE ON fee_schedule_amounts
    FOR EACH ROW EXECUTE FUNCTION ccm_refuse_fee_change();

-- Medicare's expected payment, and the decision's reasons (a month that bills nothing says why).
ALTER TABLE ledger_months ADD COLUMN expected_payment numeric(12, 2);
ALTER TABLE ledger_months ADD COLUMN reasons text[] NOT NULL DEFAULT '{}';

-- Ledger rows written before claim lines carried dates: date each line with the month's date of
-- service, as the v1 -> v2 upcasters do (a rebuild of `ledger` gives the same rows, G0506 included).
UPDATE ledger_months l
SET codes = (
    SELECT coalesce(jsonb_agg(c || jsonb_build_object('date_of_service', l.date_of_service)), '[]')
    FROM jsonb_array_elements(l.codes) AS c
)
WHERE jsonb_array_length(l.codes) > 0 AND NOT (l.codes -> 0 ? 'date_of_service');
