"""Tokens are kept only as their SHA-256; the app role reads them and notes their last use,
and nothing more (db/sql/0008_api_tokens.sql): it cannot mint a token or undo a revocation."""

from __future__ import annotations

import asyncpg
import pytest

from api import tokens

pytestmark = pytest.mark.integration


async def test_only_the_digest_is_stored_and_the_token_finds_its_source(
    pool: asyncpg.Pool, app_pool: asyncpg.Pool
) -> None:
    token_id, token = await tokens.create(pool, "ehr", "clinic")
    assert token.startswith("ccm_") and len(token) >= 40
    row = await pool.fetchrow("SELECT * FROM api_tokens WHERE id = $1", token_id)
    assert (
        row is not None
        and token not in str(dict(row))
        and row["token_sha256"] == tokens.digest(token)
    )
    found = await tokens.holder(app_pool, token)
    assert found == tokens.Holder(token_id, "ehr", revoked=False)
    assert await tokens.holder(app_pool, token + "x") is None
    assert await tokens.revoke(pool, token_id) and not await tokens.revoke(pool, 10**9)
    assert await tokens.holder(app_pool, token) == tokens.Holder(token_id, "ehr", revoked=True)


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO api_tokens (source, token_sha256) VALUES ('ehr', sha256('x'))",
        "UPDATE api_tokens SET revoked_at = NULL",
        "UPDATE api_tokens SET source = 'billing'",
        "DELETE FROM api_tokens",
    ],
)
async def test_the_app_role_cannot_mint_unrevoke_or_rewrite_tokens(
    app_pool: asyncpg.Pool, statement: str
) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await app_pool.execute(statement)


async def test_the_engine_s_own_source_can_have_no_token(pool: asyncpg.Pool) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        await tokens.create(pool, "engine")
