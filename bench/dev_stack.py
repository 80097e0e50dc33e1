"""The benches' stack: embedded PostgreSQL and the Temporal dev server in a temporary data dir.

A bench fixture, not a test: ``dev_stack`` starts both on free loopback ports (as ``ccm dev``
would, through ``runtime.stack.open_stack``), and ``synthetic_feed`` is the synthetic practice
(``upstream.synth``) ending today, so its past months close on the dev server's real clock.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from events.upstream import UpstreamEvent
from runtime.clock import practice_today
from runtime.ports import free_ports
from runtime.settings import Settings
from runtime.stack import Stack, open_stack
from upstream.feed import ParsedFeed
from upstream.synth import generate_feed

TIMEZONE = "America/New_York"


@dataclass(frozen=True)
class BenchStack:
    settings: Settings
    stack: Stack


@asynccontextmanager
async def dev_stack(*, publish: bool = False) -> AsyncIterator[BenchStack]:
    """A fresh embedded stack; ``publish`` writes services.json so ``ccm worker`` finds it."""
    with tempfile.TemporaryDirectory(prefix="ccm-bench-") as tmp:
        temporal, ui, codec = free_ports(3)
        settings = Settings(
            data_dir=Path(tmp) / "data", temporal_port=temporal, ui_port=ui, codec_port=codec,
            practice_timezone=TIMEZONE, log_level="warning",
        )  # fmt: skip
        async with open_stack(settings, start_missing=True, publish=publish) as stack:
            yield BenchStack(settings, stack)


def synthetic_feed(patients: int, months: int = 3, seed: int = 7) -> ParsedFeed:
    """``months - 1`` closed months of ``patients`` synthetic patients, ending today."""
    end = practice_today(TIMEZONE)
    events: list[UpstreamEvent] = generate_feed(
        patients=patients, seed=seed, end=end, months=months, timezone=TIMEZONE
    )
    return ParsedFeed(events=list(enumerate(events, start=1)))
