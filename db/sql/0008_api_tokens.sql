-- Bearer tokens of the HTTP API (`ccm api`), one or more per source system. A token decides the
-- `meta.source` of what its holder sends, so one system can never write as another.
--
-- Only a token's SHA-256 is kept: the token is 256 random bits (api/tokens.py), so no guess or
-- table of guesses can find a preimage, and a fast hash lets every request look its token up by
-- an index. A slow password hash would protect nothing more and cost every request. The token
-- itself is printed once by `ccm api tokens create` and never stored.
--
--   ccm_owner   creates, lists and revokes tokens (`ccm api tokens ...`): it owns the table.
--   ccm_app     the API process: reads a token's source and state, and notes when it was last
--               used; it can neither mint a token nor undo a revocation.
--   ccm_report  sees which tokens exist and their use, never their digests.

CREATE TABLE api_tokens (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source        text NOT NULL CHECK (source ~ '^[a-z0-9][a-z0-9_-]{0,63}$' AND source <> 'engine'),
    token_sha256  bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    label         text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    last_used_at  timestamptz
);

GRANT SELECT, UPDATE (last_used_at) ON api_tokens TO ccm_app;
GRANT SELECT (id, source, label, created_at, revoked_at, last_used_at) ON api_tokens TO ccm_report;
