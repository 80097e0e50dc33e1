-- The event store: every fact of the engine, append-only, hash-chained per stream.
--
-- Global order (the sequence-vs-commit-order problem): appends are SERIALISED by one
-- transaction-scoped advisory lock, the first thing ccm_append takes, held until commit.
-- PostgreSQL makes a commit visible before it releases the transaction's locks, so a position is
-- only handed out after every lower position is committed (or rolled back for good). A reader
-- following `position > last` can therefore never pass a position that commits later; rolled-back
-- appends leave permanent gaps, which readers simply skip. We chose this over an xid8 visibility
-- filter because readers stay simple (plain `position > $1`, no lag behind the oldest open
-- transaction of the whole cluster) and over gap detection because that needs timeouts to be right.
-- The cost is one commit at a time across writers (no group commit): batch to go faster. The same
-- lock makes the version and idempotency checks race-free, so no per-stream row lock is needed.

CREATE TABLE streams (
    stream      text PRIMARY KEY,
    version     bigint NOT NULL CHECK (version >= 0),
    last_hash   bytea NOT NULL CHECK (octet_length(last_hash) = 32)
);

-- Only handed out under the append lock (see ccm_append), so position order is commit order.
CREATE SEQUENCE events_position_seq AS bigint;

CREATE TABLE events (
    position        bigint PRIMARY KEY,
    stream          text NOT NULL,
    version         bigint NOT NULL CHECK (version >= 1),
    event_id        text NOT NULL UNIQUE,       -- the store key: "<meta.source>:<event_id>"
    type            text NOT NULL,
    schema_version  integer NOT NULL,
    -- json, not jsonb: the stored text is byte for byte what the content digest covers, so
    -- verification never depends on how PostgreSQL would re-normalise a jsonb value.
    payload         json NOT NULL,
    recorded_at     timestamptz NOT NULL,
    digest          bytea NOT NULL,             -- sha256 of the content (events/hashing.py)
    hash            bytea NOT NULL,             -- sha256 link to the stream's previous event
    UNIQUE (stream, version)
);

-- Append-only, enforced by the database itself: no role but a superuser who disables the
-- triggers can change history, and events/verify.py detects it when one does.
CREATE FUNCTION ccm_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: the event store is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'CCM03';
END
$$;

CREATE TRIGGER events_refuse_update_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION ccm_refuse_change();
CREATE TRIGGER events_refuse_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION ccm_refuse_change();
-- A stream's head moves forward only through ccm_append; it is never removed.
CREATE TRIGGER streams_refuse_delete BEFORE DELETE ON streams
    FOR EACH ROW EXECUTE FUNCTION ccm_refuse_change();
CREATE TRIGGER streams_refuse_truncate BEFORE TRUNCATE ON streams
    FOR EACH STATEMENT EXECUTE FUNCTION ccm_refuse_change();

-- Appends a batch to one stream in ONE round trip and ONE commit.
--   p_expected: the stream's current version (0 = empty), or NULL for no check.
--   Arrays are parallel, one element per distinct store key (the client folds repeats).
--   p_find_stored: look up keys already stored first. The fast path (false) skips that lookup:
--   a stored key then fails the INSERT on events_event_id_key, and a stale p_expected raises
--   CCM01, and in both cases the client calls again with true, which has the full semantics
--   (a retried batch must succeed whatever p_expected says). Duplicates are rare; lookups cost.
-- Returns the stream version after, the position of every input (stored position for a
-- duplicate) and how many were newly appended. Errors (SQLSTATE):
--   CCM01 wrong expected version (DETAIL = actual version)
--   CCM02 a store key already holds different content, or lives in another stream
--         (DETAIL = the key)
--   CCM04 called outside READ COMMITTED, where the checks would read a snapshot older than the lock
CREATE FUNCTION ccm_append(
    p_stream text, p_expected bigint, p_keys text[], p_types text[],
    p_schema_versions integer[], p_payloads text[], p_digests bytea[], p_find_stored boolean,
    OUT stream_version bigint, OUT positions bigint[], OUT appended integer)
LANGUAGE plpgsql AS $$
DECLARE
    n integer := cardinality(p_keys);
    known boolean;
    cur bigint;
    link bytea;
    versions bigint[] := array_fill(NULL::bigint, ARRAY[n]);
    hashes bytea[] := array_fill(NULL::bytea, ARRAY[n]);
    first_pos bigint;
    at timestamptz;
    at_us bigint;
    j integer := 0;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'ccm_append needs READ COMMITTED, not %',
            current_setting('transaction_isolation') USING ERRCODE = 'CCM04';
    END IF;
    -- Serialise appends up to commit (see the header comment). Every statement below takes a new
    -- snapshot, so it sees everything committed by the previous holder of the lock.
    PERFORM pg_advisory_xact_lock(4346957, 1);
    SELECT s.version, s.last_hash INTO cur, link FROM streams s WHERE s.stream = p_stream;
    known := FOUND;
    IF NOT known THEN
        cur := 0;
        link := '\x0000000000000000000000000000000000000000000000000000000000000000';
    END IF;

    IF p_find_stored THEN
        positions := ccm_stored_positions(p_stream, p_keys, p_digests);
    ELSE
        positions := array_fill(NULL::bigint, ARRAY[n]);
    END IF;
    appended := n - cardinality(array_remove(positions, NULL));
    IF appended = 0 THEN
        -- Entirely duplicates (a retried append): succeed whatever p_expected says.
        stream_version := cur;
        RETURN;
    END IF;
    IF p_expected IS NOT NULL AND p_expected <> cur THEN
        RAISE EXCEPTION 'stream %: expected version %, actual %', p_stream, p_expected, cur
            USING ERRCODE = 'CCM01', DETAIL = cur::text;
    END IF;

    -- Every nextval of this sequence happens under the lock, so reserving a block is safe.
    first_pos := nextval('events_position_seq');
    IF appended > 1 THEN
        PERFORM setval('events_position_seq', first_pos + appended - 1);
    END IF;
    at := clock_timestamp();
    at_us := (extract(epoch FROM at) * 1000000)::bigint;
    FOR i IN 1..n LOOP
        CONTINUE WHEN positions[i] IS NOT NULL;  -- already stored
        cur := cur + 1;
        -- Must match events/hashing.py link_hash byte for byte.
        link := sha256(link || p_digests[i] || int8send(cur) || int8send(first_pos + j)
                       || int8send(at_us) || convert_to(p_stream, 'UTF8'));
        positions[i] := first_pos + j;
        versions[i] := cur;
        hashes[i] := link;
        j := j + 1;
    END LOOP;

    INSERT INTO events (position, stream, version, event_id, type, schema_version, payload,
                        recorded_at, digest, hash)
    SELECT u.pos, p_stream, u.ver, u.key, u.type, u.sv, u.payload::json, at, u.digest, u.hash
    FROM unnest(positions, versions, p_keys, p_types, p_schema_versions, p_payloads, p_digests,
                hashes) AS u(pos, ver, key, type, sv, payload, digest, hash)
    WHERE u.hash IS NOT NULL;
    IF known THEN
        UPDATE streams SET version = cur, last_hash = link WHERE stream = p_stream;
    ELSE
        INSERT INTO streams (stream, version, last_hash) VALUES (p_stream, cur, link);
    END IF;
    -- Delivered at commit, never before; a lost one is covered by readers re-polling.
    PERFORM pg_notify('ccm_events', (first_pos + appended - 1)::text);
    stream_version := cur;
END
$$;

-- The stored position of each key already in the store (NULL for new ones); CCM02 when a key
-- holds different content or belongs to another stream.
CREATE FUNCTION ccm_stored_positions(p_stream text, p_keys text[], p_digests bytea[])
RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
    found_positions bigint[] := array_fill(NULL::bigint, ARRAY[cardinality(p_keys)]);
    dup record;
BEGIN
    -- EXECUTE plans with the actual keys every time: a cached generic plan made while the table
    -- was small would keep scanning the whole table for every batch.
    FOR dup IN EXECUTE
        'SELECT k.i, e.position, e.stream, e.digest FROM unnest($1) WITH ORDINALITY AS k(key, i)
         JOIN events e ON e.event_id = k.key' USING p_keys
    LOOP
        IF dup.stream <> p_stream OR dup.digest <> p_digests[dup.i] THEN
            RAISE EXCEPTION 'event % is already stored at position % with different content',
                p_keys[dup.i], dup.position USING ERRCODE = 'CCM02', DETAIL = p_keys[dup.i];
        END IF;
        found_positions[dup.i] := dup.position;
    END LOOP;
    RETURN found_positions;
END
$$;
