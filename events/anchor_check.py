"""Checks the event store against signed checkpoints: what ``ccm audit verify`` adds to the walk.

Each anchored head must still hold: the stream's rows, hashed from their content alone, must
reach the anchored version and link to the anchored hash there. The rows are the evidence;
``streams.last_hash`` is never trusted. A checkpoint counts only once its signature holds, and
only for its own event store (``store_id``). Problems name opaque stream ids, versions and file
names, never event content.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ConfigDict

from events.anchor import (
    AnchoredHead,
    Checkpoint,
    CheckpointInvalid,
    StoreIdentity,
    open_checkpoint,
    read_store,
)
from events.anchor_keys import AnchorKeyError, key_id, load_public_key, public_key_name
from events.anchor_sink import AnchorSink
from events.verify import Recomputed, VerifyReport, walk_chains


class AnchorProblem(BaseModel):
    """A checkpoint that cannot be used, or an anchored head that no longer holds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    anchor: str
    stream: str | None = None
    version: int | None = None
    reason: str

    def describe(self) -> str:
        """One line: the stream and version (opaque ids only), or the file, and what is wrong."""
        if self.stream is None:
            return f"anchor {self.anchor}: {self.reason}"
        return f"stream {self.stream} version {self.version}: {self.reason}"


class Anchored(BaseModel):
    """A checkpoint whose signature holds, with its file name and signing key id."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    key_id: str
    checkpoint: Checkpoint


class _KeyLookup:
    """Public keys by id: the pinned one only, or those stored beside the checkpoints."""

    def __init__(self, sink: AnchorSink, pinned: Ed25519PublicKey | None) -> None:
        self.sink, self.pinned = sink, pinned

    def __call__(self, kid: str) -> Ed25519PublicKey | None:
        if self.pinned is not None:
            return self.pinned if key_id(self.pinned) == kid else None
        data = self.sink.get(public_key_name(kid))
        if data is None:
            return None
        try:
            key = load_public_key(data, public_key_name(kid))
        except AnchorKeyError:
            return None
        return key if key_id(key) == kid else None


def load_checkpoints(
    sink: AnchorSink, *, every: bool, pinned: Ed25519PublicKey | None = None
) -> tuple[list[Anchored], list[AnchorProblem]]:
    """The newest checkpoint whose signature holds (``every``: all of them), newest name first,
    and a problem for each file tried that does not verify.

    Keys come from the sink (``anchor-key-<id>.pub``) unless one is ``pinned``, which must then
    have signed every checkpoint.
    """
    keys = _KeyLookup(sink, pinned)
    found: list[Anchored] = []
    problems: list[AnchorProblem] = []
    for name in reversed([n for n in sink.names() if n.endswith(".json")]):
        try:
            checkpoint, kid = open_checkpoint(sink.get(name) or b"", keys)
        except CheckpointInvalid as exc:
            problems.append(AnchorProblem(anchor=name, reason=f"signature invalid: {exc}"))
            continue
        found.append(Anchored(name=name, key_id=kid, checkpoint=checkpoint))
        if not every:
            break
    return found, problems


async def verify_against(
    pool: asyncpg.Pool, anchors: Sequence[Anchored], stream: str | None = None
) -> tuple[VerifyReport, list[AnchorProblem]]:
    """The in-database walk and every anchored head (of ``stream`` only, if given) in one
    snapshot. ``anchors`` newest first; a stream is named once, for the newest checkpoint it
    fails, which bounds when it was changed."""
    marks: dict[str, set[int]] = {}
    for anchored in anchors:
        for head in anchored.checkpoint.streams:
            marks.setdefault(head.stream, set()).add(head.version)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        here, head_position = await read_store(conn)
        report = await walk_chains(conn, stream, marks)
    problems: list[AnchorProblem] = []
    named: set[str] = set()
    for anchored in anchors:
        for problem in judge(anchored, here, head_position, report, stream):
            if problem.stream is None or problem.stream not in named:
                problems.append(problem)
            if problem.stream is not None:
                named.add(problem.stream)
    return report, problems


def judge(
    anchored: Anchored,
    here: StoreIdentity,
    head_position: int,
    report: VerifyReport,
    stream: str | None,
) -> list[AnchorProblem]:
    """Every way this store no longer holds what one checkpoint anchored."""
    cp, name = anchored.checkpoint, anchored.name
    heads = [h for h in cp.streams if stream is None or h.stream == stream]
    failed = [
        problem
        for head in heads
        if (problem := _judge_head(name, head, report.recomputed.get(head.stream))) is not None
    ]
    if len(failed) == len(heads) and _another_store(cp.database, here):
        reason = f"anchor from another database ({_which(cp.database)}; this is {_which(here)})"
        return [AnchorProblem(anchor=name, reason=reason)]
    if stream is None and head_position < cp.head_position:
        reason = (
            f"events removed after it: the store ends at position {head_position},"
            f" anchored at {cp.head_position}"
        )
        failed.append(AnchorProblem(anchor=name, reason=reason))
    return failed


def _judge_head(name: str, head: AnchoredHead, rows: Recomputed | None) -> AnchorProblem | None:
    last = rows.last_version if rows is not None else 0
    link = rows.links.get(head.version) if rows is not None else None
    if last < head.version:
        reason = f"events removed after anchor {name}: the stream ends at version {last}"
    elif link is None:
        reason = f"rewritten after anchor {name}: no event at the anchored version"
    elif link.hex() != head.hash:
        reason = f"rewritten after anchor {name}: its events no longer hash to the anchored head"
    else:
        return None
    return AnchorProblem(anchor=name, stream=head.stream, version=head.version, reason=reason)


def _another_store(anchored: StoreIdentity, here: StoreIdentity) -> bool:
    """Another event store, rather than this one with every anchored head changed: its first
    event differs and so does the database (name or cluster); an emptied store is this one."""
    if anchored.store_id is None or here.store_id is None or anchored.store_id == here.store_id:
        return False
    return (anchored.name, anchored.system_identifier) != (here.name, here.system_identifier)


def _which(store: StoreIdentity) -> str:
    first = store.store_id[:16] if store.store_id else "empty"
    return f"database {store.name} on cluster {store.system_identifier}, store {first}"
