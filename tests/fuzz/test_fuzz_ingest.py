"""Fuzz target (c): a ``ccm ingest`` of a fuzzed practice feed against the time-skipping server,
a real worker and embedded PostgreSQL (what ``cli.ingest`` runs, in process).

Asserted: the run finishes (no traceback) with nothing undelivered; every refusal names a field;
no line breaking an identity rule is stored (each stored key holds the first accepted content of
the first patient that sent it); the valid event sent last for each patient is recorded (nothing
wedged); the events stored before the run are unchanged and every hash chain holds; the
projections catch up with none stopped and nobody quarantined; no PHI-looking value appears in a
refusal, the reject file, stdout, stderr or the logs.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

from care.policy import EDGE_POLICY, Policy
from cli.ingest import _write_rejects
from events.identity import digest_of
from events.verify import verify_chains
from projections.runner import catch_up
from projections.status import quarantined, status
from tests.workflow.conftest import Engine
from upstream.feed import ParsedFeed, read_feed
from upstream.ingest import ingest

from .feed_builder import baseline, collect_mutants, identity_attacks, line, time_entry
from .oracle import judge

POLICY = Policy()  # the practice's (defaults): the workflow's validator judges by it
ROWS = "SELECT position, event_id, stream, digest, hash FROM events ORDER BY position"


async def test_a_fuzzed_feed_ingests_to_the_end_and_harms_nothing(
    engine: Engine, tmp_path: Path, capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.INFO)
    now = await engine.now()
    pids = [engine.patient().id for _ in range(4)]
    phi: list[str] = []
    bases = [baseline(pid, now, phi) for pid in pids]
    await ingest(engine.client, read_feed(b"\n".join(line(o) for b in bases for o in b), now,
                                          EDGE_POLICY))  # fmt: skip
    before = await engine.pool.fetch(ROWS)
    mutants = collect_mutants(pids, now)
    phi += [p for m in mutants for p in m.phi]
    attacks = identity_attacks(bases[0], bases[1], now)
    last = [time_entry(pid, f"{pid}-last", now - timedelta(minutes=3), 7) for pid in pids]
    data = b"\n".join([*(m.line for m in mutants), *attacks.lines, *map(line, last)])
    feed = read_feed(data, now, EDGE_POLICY)
    engine.patients += [p for p in feed.by_patient() if p not in engine.patients]  # ended after
    summary = await ingest(engine.client, feed, concurrency=4)
    rejects = tmp_path / "rejects.jsonl"
    _write_rejects(rejects.open("w"), rejects, summary.rejected)

    assert summary.undelivered == 0 and all(r.field for r in summary.rejected)
    refused = {r.line for r in summary.rejected}
    assert {len(mutants) + 1 + i for i in attacks.refused} <= refused, "an identity attack passed"
    await _identities_hold(engine.pool, feed, refused)
    lines, after = data.split(b"\n"), await engine.now()  # the shared clock may have moved on
    wrongly = [n for n, _ in feed.events if n not in refused
               and not any(judge(lines[n - 1], n, t, POLICY).ok for t in (now, after))]  # fmt: skip
    assert wrongly == [], "the workflow accepted lines its practice's windows forbid"
    stored = {r["event_id"] for r in await engine.pool.fetch("SELECT event_id FROM events")}
    assert {f"ehr:{o['event_id']}" for o in last} <= stored, "a patient is wedged"
    assert (await engine.pool.fetch(ROWS))[: len(before)] == before
    assert (await verify_chains(engine.pool)).broken == []
    await catch_up(engine.pool)  # raises if a projection stopped
    assert all(s.error is None for s in await status(engine.pool))
    assert await quarantined(engine.pool) == []
    out, err = capfd.readouterr()
    said = "\n".join([out, err, caplog.text, rejects.read_text(),
                      *(r.reason + r.field for r in summary.rejected)])  # fmt: skip
    assert "Traceback" not in said
    assert not [p for p in phi if p in said], "PHI echoed"
    print(f"fuzz ingest: {len(mutants)} mutants, {len(phi)} PHI values, {summary.as_dict()}")


async def _identities_hold(pool: asyncpg.Pool, feed: ParsedFeed, rejected: set[int]) -> None:
    """A line whose key the store holds with other content (another patient's, an earlier
    line's) was refused: none accepted that the identity rules forbid."""
    rows = {r["event_id"]: bytes(r["digest"]) for r in await pool.fetch(
        "SELECT event_id, digest FROM events")}  # fmt: skip
    for number, event in feed.events:
        if rows.get(event.store_key) != digest_of(event):
            same = [(n, e.store_key) for n, e in feed.events if e.event_id == event.event_id]
            assert number in rejected, f"line {number} ({event.store_key} {same}) not refused"
