-- Roles: no process of the engine connects as a superuser or as the owner of the event store, so
-- none can disable, drop or replace the triggers that keep history append-only.
--
--   ccm_owner   owns every table, sequence and function of the schema; runs migrations and
--               projection rebuilds (they create, drop and swap tables). Nothing else uses it.
--   ccm_app     workers, ingest and the projection runner: appends only through ccm_append
--               (SECURITY DEFINER, so it writes events and streams as the owner), reads events,
--               writes the read models, their checkpoints and quarantine, and inserts claims and
--               fee imports (both are never changed once written).
--   ccm_report  reports and status: reads the read models, the events and the fee imports.
--
-- Roles are created NOLOGIN when missing (that needs CREATEROLE); whoever runs the cluster gives
-- them logins: the embedded server does it itself (runtime/embedded_roles.py), a real deployment
-- grants them to its login users or sets LOGIN PASSWORD (README, "Database roles"). Roles belong
-- to the cluster, so a second database on it reuses them; every grant below is per database.

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['ccm_owner', 'ccm_app', 'ccm_report'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
    -- Handing objects over to ccm_owner takes the right to SET ROLE to it (a superuser has it;
    -- from PostgreSQL 16 the CREATEROLE user that created it holds only ADMIN, so grant it).
    IF NOT pg_has_role('ccm_owner', CASE WHEN current_setting('server_version_num')::int >= 160000
                                         THEN 'SET' ELSE 'MEMBER' END) THEN
        GRANT ccm_owner TO CURRENT_USER;
    END IF;
END
$$;

-- Only the owner creates objects: in the schema (migrations; a new owner needs it to be handed
-- objects), and schemas in the database (the rebuild's ccm_rebuild_* shadow schemas).
DO $$
BEGIN
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', current_schema());
    IF NOT has_schema_privilege('ccm_owner', current_schema(), 'CREATE') THEN
        EXECUTE format('GRANT USAGE, CREATE ON SCHEMA %I TO ccm_owner', current_schema());
    END IF;
    IF NOT has_database_privilege('ccm_owner', current_database(), 'CREATE') THEN
        EXECUTE format('GRANT CREATE ON DATABASE %I TO ccm_owner', current_database());
    END IF;
END
$$;

-- Everything the earlier migrations created (owned by whoever ran them) now belongs to ccm_owner.
-- Identity and serial sequences follow their table; a standalone sequence is handed over itself.
DO $$
DECLARE
    ns oid := (SELECT oid FROM pg_namespace WHERE nspname = current_schema());
    me oid := (SELECT oid FROM pg_roles WHERE rolname = current_user);
    obj record;
BEGIN
    FOR obj IN
        SELECT c.oid::regclass AS name, CASE c.relkind WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END AS kind
        FROM pg_class c
        WHERE c.relnamespace = ns AND c.relowner = me AND c.relkind IN ('r', 'p', 'v')
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO ccm_owner', obj.kind, obj.name);
    END LOOP;
    FOR obj IN
        SELECT c.oid::regclass AS name
        FROM pg_class c
        WHERE c.relnamespace = ns AND c.relowner = me AND c.relkind = 'S'
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))
    LOOP
        EXECUTE format('ALTER SEQUENCE %s OWNER TO ccm_owner', obj.name);
    END LOOP;
    FOR obj IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
        WHERE p.pronamespace = ns AND p.proowner = me
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO ccm_owner', obj.name);
    END LOOP;
END
$$;

-- PostgreSQL grants every new function EXECUTE to PUBLIC: revoked here, and by default for the
-- owner's future functions.
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO ccm_app, ccm_report', current_schema());
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM PUBLIC', current_schema());
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM PUBLIC', current_schema());
    EXECUTE format('REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA %I FROM PUBLIC', current_schema());
    EXECUTE format(
        'ALTER DEFAULT PRIVILEGES FOR ROLE ccm_owner IN SCHEMA %I REVOKE EXECUTE ON FUNCTIONS'
        ' FROM PUBLIC', current_schema());
    -- The append runs as its owner, the only writer of events and streams. A fixed search_path
    -- (pg_temp last) means no object a caller creates can stand in for one the function uses.
    EXECUTE format(
        'ALTER FUNCTION ccm_append(text, bigint, text[], text[], integer[], text[], bytea[],'
        ' boolean) SECURITY DEFINER SET search_path = pg_catalog, %I, pg_temp', current_schema());
    EXECUTE format(
        'ALTER FUNCTION ccm_stored_positions(text, text[], bytea[])'
        ' SET search_path = pg_catalog, %I, pg_temp', current_schema());
END
$$;

GRANT EXECUTE ON FUNCTION
    ccm_append(text, bigint, text[], text[], integer[], text[], bytea[], boolean),
    ccm_stored_positions(text, text[], bytea[])
TO ccm_app;

-- The event store and the migration record: read by both, written only through the owner.
GRANT SELECT ON events, streams, schema_migrations TO ccm_app, ccm_report;

-- The read models, their checkpoints and the patients set aside: the projection runner's own. A
-- checkpoint is never removed (only a rebuild, as the owner, drops its `@rebuild` row).
GRANT SELECT, INSERT, UPDATE, DELETE ON
    projection_quarantine, audit_events, ledger_months, ledger_late_entries, funnel_transitions,
    worklist_patients, worklist_facts
TO ccm_app;
GRANT SELECT, INSERT, UPDATE ON projection_checkpoints TO ccm_app;
GRANT SELECT ON
    projection_checkpoints, projection_quarantine, audit_events, ledger_months,
    ledger_late_entries, funnel_transitions, worklist_patients, worklist_facts
TO ccm_report;

-- Claims and fee imports are written once and never changed (the outbox's status belongs to the
-- clearinghouse adapter that drains it, outside the engine).
GRANT SELECT, INSERT ON claims_outbox, fee_schedules, fee_schedule_amounts TO ccm_app;
GRANT SELECT ON fee_schedules, fee_schedule_amounts TO ccm_report;
