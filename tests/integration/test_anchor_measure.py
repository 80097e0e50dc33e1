"""The issue's measurement, repeated: 20 random tail-and-head rewrites, each in its own stream.

Each rewrite starts at a random version and runs to the stream's end, relinking every event and
moving the head exactly as ``ccm_append`` would; a third remove an event and renumber the rest.
The in-database walk finds none of them; ``ccm audit verify`` against the checkpoint written
before must name every rewritten stream. Run with ``-s`` to see the count.
"""

from __future__ import annotations

import random
from pathlib import Path

import asyncpg
import pytest

from events.store import EventStore
from events.verify import verify_chains
from tests.integration.anchor_cli import add_practice, backdate, ccm, ccm_env
from tests.integration.privileged_writer import rewrite_tail

pytestmark = pytest.mark.integration
REWRITES = 20


def forge_actor(payload: str) -> str:
    return payload.replace('"actor":null', '"actor":"rn-9"')


async def test_every_random_tail_and_head_rewrite_is_named(
    db_url: str, tmp_path: Path, store: EventStore, pool: asyncpg.Pool
) -> None:
    versions = await add_practice(store, REWRITES)
    env = ccm_env(db_url, tmp_path / "data")
    assert (await ccm(env, "audit", "anchor"))[0] == 0
    rng = random.Random(11)
    for stream, last in versions.items():
        kind = rng.choice(["backdate", "forge actor", "drop one"])
        start = rng.randint(1, last)
        if kind == "drop one":
            await rewrite_tail(pool, stream, start, drop_first=True)
        else:
            await rewrite_tail(pool, stream, start, backdate if kind == "backdate" else forge_actor)
    walk = await verify_chains(pool)
    code, out, _ = await ccm(env, "audit", "verify")
    named = {line.split()[2] for line in out.splitlines() if line.startswith("BROKEN stream ")}
    found = len(named & versions.keys())
    print(
        f"\ntail+head rewrites found: in-database walk {len(walk.broken)}/{REWRITES},"
        f" ccm audit verify with an anchor {found}/{REWRITES}"
    )
    assert walk.ok
    assert code == 1 and found == REWRITES
