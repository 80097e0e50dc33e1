"""Signed checkpoints of every stream head, kept where a writer of the database cannot reach.

The chain proves that a stream's rows hash to its head, but whoever can rewrite the rows can
rewrite the head too. A checkpoint records every head (stream, version, link hash) of one
snapshot and is signed with an Ed25519 key the database never holds (``events/anchor_keys.py``),
then stored write-once (``events/anchor_sink.py``). ``events/anchor_check.py`` recomputes each
anchored link from the rows: a tail rewritten since no longer hashes to it, and a stream cut
back below it has lost events. Events newer than the latest checkpoint are covered only by the
next one.

A checkpoint is one JSON document: ``format``, ``created_at`` (UTC, ISO 8601), ``database``
(``name``, the cluster's ``system_identifier``, and ``store_id``: the link hash of the first
event ever stored, which survives a dump and restore and differs between any two event stores),
``head_position`` (the highest position stored), ``streams`` (``stream``, ``version``, ``hash``
hex), and ``signature`` (``alg`` ed25519, ``key_id``, ``value`` base64). The signature covers
``ccm-anchor/1\\n`` followed by the document without ``signature``, serialised with sorted keys,
no whitespace and ASCII escapes: every value is a string, an integer or null, so that form is
exact and any JSON reader can rebuild it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

import asyncpg
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from events.anchor_keys import key_id
from events.verify import Conn

FORMAT = "ccm-anchor/1"
HexHash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
STORE = """
SELECT current_database() AS name,
       (SELECT system_identifier::text FROM pg_control_system()) AS system_identifier,
       (SELECT hash FROM events ORDER BY position LIMIT 1) AS store_id,
       (SELECT coalesce(max(position), 0) FROM events) AS head_position
"""
HEADS = "SELECT stream, version, last_hash FROM streams WHERE version > 0 ORDER BY stream"


class CheckpointInvalid(ValueError):
    """A checkpoint file that is not a checkpoint, or whose signature does not hold."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class AnchoredHead(_Frozen):
    stream: str
    version: int = Field(ge=1)
    hash: HexHash


class StoreIdentity(_Frozen):
    """Which event store: ``store_id`` decides, ``name`` and ``system_identifier`` inform."""

    name: str
    system_identifier: str
    store_id: HexHash | None  # None: no event stored yet


class Checkpoint(_Frozen):
    """Every stream head of one snapshot (the signed body of a checkpoint file)."""

    format: Literal["ccm-anchor/1"] = "ccm-anchor/1"
    created_at: str
    database: StoreIdentity
    head_position: int = Field(ge=0)
    streams: list[AnchoredHead]

    @property
    def file_name(self) -> str:
        """``anchor-<UTC time>.json``: names sort in time order, which ``latest`` relies on."""
        at = datetime.fromisoformat(self.created_at)
        return f"anchor-{at:%Y%m%dT%H%M%S.%fZ}.json"


class Signature(_Frozen):
    alg: Literal["ed25519"]
    key_id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    value: str


async def read_store(conn: Conn) -> tuple[StoreIdentity, int]:
    """This store's identity and head position, in the caller's snapshot."""
    row = await conn.fetchrow(STORE)
    assert row is not None
    first = row["store_id"]
    identity = StoreIdentity(
        name=row["name"], system_identifier=row["system_identifier"],
        store_id=bytes(first).hex() if first is not None else None,
    )  # fmt: skip
    return identity, row["head_position"]


async def take_checkpoint(pool: asyncpg.Pool, created_at: datetime) -> Checkpoint:
    """Every stream head and the store's identity, read in one consistent snapshot."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        identity, head_position = await read_store(conn)
        rows = await conn.fetch(HEADS)
    heads = [
        AnchoredHead(stream=r["stream"], version=r["version"], hash=bytes(r["last_hash"]).hex())
        for r in rows
    ]
    return Checkpoint(
        created_at=created_at.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        database=identity, head_position=head_position, streams=heads,
    )  # fmt: skip


def _message(body: dict[str, Any]) -> bytes:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return f"{FORMAT}\n{canonical}".encode()


def sign(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> bytes:
    """The checkpoint file's bytes: the body and its signature, one JSON document."""
    body = checkpoint.model_dump(mode="json")
    value = base64.b64encode(key.sign(_message(body))).decode()
    signature = Signature(alg="ed25519", key_id=key_id(key.public_key()), value=value)
    document = {**body, "signature": signature.model_dump()}
    return (json.dumps(document, sort_keys=True, separators=(",", ":")) + "\n").encode()


def open_checkpoint(
    data: bytes, public_key: Callable[[str], Ed25519PublicKey | None]
) -> tuple[Checkpoint, str]:
    """The checkpoint and the id of the key that signed it, once its signature holds.

    ``public_key`` looks up a key by id (None: unknown). Raises ``CheckpointInvalid`` saying
    why: not a checkpoint, no such key, or content that does not match its signature.
    """
    try:
        document = json.loads(data.decode())
        signature = Signature.model_validate(document.pop("signature"))
        raw = base64.b64decode(signature.value, validate=True)
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError, KeyError, TypeError):
        raise CheckpointInvalid("not a signed checkpoint (no signed JSON object)") from None
    except (ValidationError, binascii.Error):
        raise CheckpointInvalid("not a signed checkpoint (malformed signature)") from None
    key = public_key(signature.key_id)
    if key is None:
        raise CheckpointInvalid(f"no public key {signature.key_id} to check it with")
    try:
        key.verify(raw, _message(document))
    except InvalidSignature:
        reason = f"content does not match its signature (key {signature.key_id})"
        raise CheckpointInvalid(reason) from None
    try:
        return Checkpoint.model_validate(document), signature.key_id
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"])
        raise CheckpointInvalid(f"signed, but not a {FORMAT} checkpoint (field {where})") from None
