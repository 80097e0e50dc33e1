"""Bearer tokens per source system, kept only as their SHA-256 (db/sql/0008_api_tokens.sql).

A token is ``ccm_`` and 43 URL-safe characters of 256 random bits: far beyond guessing, so a
plain SHA-256 is a safe, indexable lookup key (slow password hashes exist for guessable secrets).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import asyncpg

PREFIX = "ccm_"
TOKEN_BYTES = 32
# A token's last use is noted at most once a minute: a busy sender is not one write per request.
TOUCH = """
UPDATE api_tokens SET last_used_at = now()
WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
"""
FIND = "SELECT id, source, revoked_at, last_used_at FROM api_tokens WHERE token_sha256 = $1"
LIST = """
SELECT id, source, label, created_at, revoked_at, last_used_at FROM api_tokens ORDER BY id
"""


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


@dataclass(frozen=True)
class TokenRow:
    """What ``ccm api tokens list`` shows: never the token, which is not stored."""

    id: int
    source: str
    label: str | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True)
class Holder:
    """Who presented a token: its id and source, and whether it was revoked."""

    id: int
    source: str
    revoked: bool


async def create(pool: asyncpg.Pool, source: str, label: str | None = None) -> tuple[int, str]:
    """Mints a token for ``source``; returns its id and the token (shown once, never stored)."""
    token = PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token_id = await pool.fetchval(
        "INSERT INTO api_tokens (source, token_sha256, label) VALUES ($1, $2, $3) RETURNING id",
        source, digest(token), label,
    )  # fmt: skip
    return int(token_id), token


async def listed(pool: asyncpg.Pool) -> list[TokenRow]:
    return [TokenRow(**dict(r)) for r in await pool.fetch(LIST)]


async def revoke(pool: asyncpg.Pool, token_id: int) -> bool:
    """Revokes the token (from its next request on); False when no such token exists."""
    found = await pool.fetchval(
        "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id",
        token_id,
    )
    return found is not None


async def holder(pool: asyncpg.Pool, token: str) -> Holder | None:
    """The holder of ``token`` (None: no such token); notes its use when it is not revoked."""
    row = await pool.fetchrow(FIND, digest(token))
    if row is None:
        return None
    if row["revoked_at"] is None:
        await pool.execute(TOUCH, row["id"])
    return Holder(row["id"], row["source"], row["revoked_at"] is not None)
