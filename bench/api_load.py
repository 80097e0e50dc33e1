"""Load test (not a test): concurrent senders posting to ``ccm api`` on loopback, then a check
that every accepted event is stored exactly once.

    .venv/bin/python bench/api_load.py [--senders 50] [--seconds 60] [--patients 4] [--batch 5]

Starts ``ccm dev`` and ``ccm api`` in a temporary data dir (bench/api_stack.py); each sender owns
``--patients`` patients and, until the time is up, posts one patient's batch at a time (the
patient's enrollment first, then time entries), re-sending every tenth request unchanged (it
must come back all duplicates). 429 and 503 are waited out as their Retry-After says. Prints
throughput, p50/p99 latency of the 202 answers, answers by status, the machine's load average,
and the store check. Bounded: stops sending at the deadline, every request times out in 60 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api_stack import Stack, api_stack
from runtime.settings import Settings
from runtime.stack import open_database

DISCLOSED = {"availability": True, "cost_sharing": True, "stop_anytime": True,
             "one_practitioner": True}  # fmt: skip


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    accepted: set[str] = field(default_factory=set)
    resend_not_duplicate: int = 0


def _event(kind: str, patient: str, event_id: str, **fields: Any) -> dict[str, Any]:
    at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    return {"type": kind, "event_id": event_id, "patient_id": patient, "occurred_at": at,
            **fields}  # fmt: skip


def batch(patient: str, first: bool, prefix: str, size: int) -> list[dict[str, Any]]:
    """The patient's enrollment on first contact, then ``size`` one-minute time entries."""
    events = []
    if first:
        last_visit = (datetime.now(UTC) - timedelta(days=60)).date().isoformat()
        events += [
            _event("patient_identified", patient, f"{prefix}-id", practice_id="practice-1",
                   practitioner_id="dr-1", diagnoses=["E11.9", "I10"], last_visit_on=last_visit),
            _event("consent_recorded", patient, f"{prefix}-consent", method="verbal",
                   obtained_by="rn-1", disclosures=DISCLOSED),
            _event("care_plan_established", patient, f"{prefix}-plan", care_plan_id=f"cp-{patient}",
                   problems=["diabetes"], goals=["A1c < 8"]),
        ]  # fmt: skip
    at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    for i in range(size):
        events.append(_event("time_logged", patient, f"{prefix}-t{i}", entry_id=f"{prefix}-t{i}",
                             staff_id="rn-1", role="clinical_staff", minutes=1, at=at))  # fmt: skip
    return events


async def post(http: httpx.AsyncClient, events: list[dict[str, Any]], stats: Stats,
               give_up: float) -> dict[str, Any] | None:  # fmt: skip
    """Sends until a final answer; 429/503 are waited out (Retry-After) until ``give_up``."""
    while time.monotonic() < give_up:
        began = time.monotonic()
        try:
            answer = await http.post("/v1/events", json=events)
        except httpx.TransportError:
            stats.statuses[0] += 1
            await asyncio.sleep(1)
            continue
        stats.statuses[answer.status_code] += 1
        if answer.status_code == 202:
            stats.latencies.append(time.monotonic() - began)
            result: dict[str, Any] = answer.json()
            return result
        if answer.status_code not in (429, 503):
            raise RuntimeError(f"unexpected {answer.status_code}: {answer.text[:500]}")
        await asyncio.sleep(float(answer.headers.get("retry-after", "1")))
    return None


async def sender(n: int, stack: Stack, run: str, args: argparse.Namespace, stats: Stats,
                 deadline: float) -> None:  # fmt: skip
    patients = [f"load-{run}-{n}-{k}" for k in range(args.patients)]
    seen: set[str] = set()
    auth = {"Authorization": f"Bearer {stack.token}"}
    async with httpx.AsyncClient(base_url=stack.api_url, headers=auth, timeout=60) as http:
        last: list[dict[str, Any]] | None = None
        seq = 0
        while time.monotonic() < deadline:
            seq += 1
            resend = last is not None and seq % 10 == 0
            if not resend:
                patient = patients[seq % len(patients)]
                last = batch(patient, patient not in seen, f"{run}-{n}-{seq}", args.batch)
                seen.add(patient)
            assert last is not None
            result = await post(http, last, stats, deadline + 60)
            if result is None:
                continue
            outcomes = {r["outcome"] for r in result["results"]}
            if resend and outcomes != {"duplicate"}:
                stats.resend_not_duplicate += 1
            stats.accepted |= {f"bench:{r['event_id']}" for r in result["results"]}


async def stored_once(stack: Stack, run: str, accepted: set[str]) -> dict[str, int]:
    """Every accepted key stored exactly once; nothing of this run stored that was not."""
    async with open_database(Settings.from_env(stack.env), start_missing=False) as urls:
        conn = await asyncpg.connect(urls.report)
        try:
            rows = await conn.fetch(
                "SELECT event_id, count(*) AS n FROM events WHERE event_id LIKE $1 GROUP BY 1",
                f"bench:{run}-%",
            )
        finally:
            await conn.close()
    stored = {r["event_id"]: r["n"] for r in rows}
    return {
        "accepted": len(accepted), "stored": len(stored),
        "missing": len(accepted - stored.keys()), "unacknowledged": len(stored.keys() - accepted),
        "doubled": sum(1 for n in stored.values() if n != 1),
    }  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def main(args: argparse.Namespace) -> int:
    run = uuid.uuid4().hex[:8]
    async with api_stack(args.max_in_flight) as stack:
        load_before = os.getloadavg()
        stats = Stats()
        began = time.monotonic()
        deadline = began + args.seconds
        await asyncio.gather(
            *(sender(n, stack, run, args, stats, deadline) for n in range(args.senders))
        )
        elapsed = time.monotonic() - began
        load_after = os.getloadavg()
        check = await stored_once(stack, run, stats.accepted)
    ok = check["missing"] == check["doubled"] == stats.resend_not_duplicate == 0
    print(f"senders {args.senders}, {args.seconds} s (ran {elapsed:.1f} s), batch {args.batch}, "
          f"in-flight limit {args.max_in_flight}")  # fmt: skip
    print(f"answers by status: {dict(sorted(stats.statuses.items()))}")
    print(f"throughput: {len(stats.latencies) / elapsed:.1f} accepted requests/s, "
          f"{len(stats.accepted) / elapsed:.1f} distinct events/s")  # fmt: skip
    print(f"latency of 202s: p50 {percentile(stats.latencies, 0.5) * 1000:.0f} ms, "
          f"p99 {percentile(stats.latencies, 0.99) * 1000:.0f} ms")  # fmt: skip
    print(f"load average (1/5/15 min): before {load_before}, after {load_after} "
          f"({os.cpu_count()} cores, shared)")  # fmt: skip
    print(f"store: {check}; re-sent requests not all duplicate: {stats.resend_not_duplicate}")
    print("every accepted event stored exactly once" if ok else "STORE CHECK FAILED")
    return 0 if ok else 1


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--senders", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--patients", type=int, default=4, help="patients per sender")
    p.add_argument("--batch", type=int, default=5, help="time entries per request")
    p.add_argument("--max-in-flight", type=int, default=32, help="CCM_API_MAX_IN_FLIGHT")
    args = p.parse_args(argv)
    if not (1 <= args.senders <= 200 and 1 <= args.seconds <= 600):
        p.error("--senders 1..200 and --seconds 1..600 (the bench is bounded)")
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
