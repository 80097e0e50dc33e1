"""The production layout, run locally as separate OS processes: two ``ccm worker``, two
``ccm projector`` and the codec server against the embedded PostgreSQL and a Temporal dev
server. One of each is killed (SIGKILL) mid-ingest; the practice is billed exactly as designed,
once, the read models catch up, and the rest stop cleanly on SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from runtime.clock import practice_today
from runtime.db_urls import DatabaseUrls
from runtime.ports import free_port
from tests.integration.billing_oracle import assert_billed_as_designed, stored_keys
from tests.integration.otlp_collector import collector
from tests.integration.processes import CCM, Process, clean_env
from tests.workflow.builders import TZ
from upstream.synth.feed import SynthFeed, plan_feed, to_jsonl

pytestmark = pytest.mark.integration
PATIENTS = 16
TOKEN = "t0ken-for-the-layout-test-only"


@pytest_asyncio.fixture(loop_scope="session")
async def layout(
    dev_env: WorkflowEnvironment, db_urls: DatabaseUrls, tmp_path: Path, task_queue: str
) -> AsyncIterator[dict[str, Process]]:
    env = clean_env(
        CCM_DATABASE_URL=db_urls.app, CCM_DATABASE_OWNER_URL=db_urls.owner,
        CCM_DATABASE_REPORT_URL=db_urls.report, CCM_DATA_DIR=str(tmp_path),
        TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
        CCM_TASK_QUEUE=task_queue, CCM_PRACTICE_TIMEZONE=TZ, CCM_CODEC_TOKEN=TOKEN,
    )  # fmt: skip
    traced = {**env, "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{free_port()}"}
    procs = {
        "worker-a": Process("worker-a", ["worker"], env, tmp_path, free_port()),
        "worker-b": Process("worker-b", ["worker"], traced, tmp_path, free_port()),
        "projector-a": Process("projector-a", ["projector"], env, tmp_path, free_port()),
        "projector-b": Process("projector-b", ["projector"], env, tmp_path, free_port()),
    }
    codec_port = free_port()
    procs["codec"] = Process("codec", ["codec-server", "--port", str(codec_port)], env, tmp_path)
    for p in procs.values():
        p.start()
    try:
        yield procs
    finally:
        for p in procs.values():
            if p.proc is not None and p.proc.poll() is None:
                p.kill()


def write_feed(tmp_path: Path, patients: int = PATIENTS) -> tuple[SynthFeed, Path]:
    """A synthetic practice's feed ending today, as a JSONL file (``intended`` is the oracle)."""
    feed = plan_feed(patients=patients, seed=11, end=practice_today(TZ), months=3, timezone=TZ)
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(to_jsonl(feed.events)))
    return feed, path


async def test_one_of_each_killed_mid_ingest_loses_nothing(
    layout: dict[str, Process], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    otlp = layout["worker-b"].env["OTEL_EXPORTER_OTLP_ENDPOINT"].rsplit(":", 1)[1]
    async with collector(int(otlp)) as spans:
        for name in ("worker-a", "worker-b", "projector-a", "projector-b"):
            await layout[name].healthy()
        feed, path = write_feed(tmp_path)
        ingest = await asyncio.create_subprocess_exec(
            CCM, "ingest", str(path), "--concurrency", "4", env=layout["worker-a"].env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        await _until_stored(pool, len(feed.events) // 3)
        for name in ("worker-a", "projector-a", "codec"):
            layout[name].kill()
        layout["codec"].start()  # the README's recovery for the codec server: start it again
        out, err = await ingest.communicate()
        summary = json.loads(out.decode().strip().splitlines()[-1])
        # The feed's one designed refusal (a consent missing a disclosure), when it is in it.
        refusals = len(_refused(feed))
        want = (2 if refusals else 0, refusals, 0)
        assert (ingest.returncode, summary["rejected"], summary["undelivered"]) == want, err
        await assert_billed_as_designed(pool, feed)
        assert await stored_keys(pool) >= {e.store_key for e in feed.events} - _refused(feed)
        await _caught_up(pool)
        status, metrics = layout["worker-b"].get("/metrics")
        assert status == 200 and "ccm_events_appended" in metrics and "temporal_" in metrics
        assert "ccm_projection_lag" in layout["projector-b"].get("/metrics")[1]
        assert await _decodes(layout["codec"]), layout["codec"].log_tail()
        for name in ("worker-b", "projector-b", "codec"):
            assert await layout[name].terminate() == 0, layout[name].log_tail()
    names = sorted(set(spans.spans))
    assert any(s.startswith("RunWorkflow:PatientCare") for s in names), names
    assert spans.services == {"ccm-worker"}
    phi = [v for e in feed.events for v in _demographics(e)]
    assert not [v for v in phi if any(v.encode() in body for body in spans.raw)]


async def _until_stored(pool: asyncpg.Pool, count: int, timeout_s: float = 300) -> None:
    for _ in range(int(timeout_s * 5)):
        if await pool.fetchval("SELECT count(*) FROM events") >= count:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"fewer than {count} events stored in {timeout_s} s")


async def _caught_up(pool: asyncpg.Pool, timeout_s: float = 120) -> None:
    for _ in range(int(timeout_s * 5)):
        head = await pool.fetchval("SELECT coalesce(max(position), 0) FROM events")
        behind = await pool.fetchval(
            "SELECT count(*) FROM projection_checkpoints WHERE position < $1 AND projection NOT"
            " LIKE '%:rebuild'",
            head,
        )
        if behind == 0:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the surviving projector did not catch up")


def _refused(feed: SynthFeed) -> set[str]:
    """The designed refusal: the consent that lacks a disclosure (tests/unit/test_synth_rules)."""
    if "missing-disclosure" not in feed.cases:
        return set()
    refused = f"-{feed.cases['missing-disclosure']}-3"
    return {e.store_key for e in feed.events if e.event_id.endswith(refused)}


async def _decodes(codec: Process, timeout_s: float = 30) -> bool:
    """The restarted codec server answers a decode request with the token."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{codec.args[-1]}/decode",
        data=b'{"payloads": []}',
        method="POST",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    for _ in range(int(timeout_s * 5)):
        try:
            answer = await asyncio.to_thread(urllib.request.urlopen, request, timeout=5)
        except OSError:
            await asyncio.sleep(0.2)
            continue
        with answer:
            return bool(answer.status == 200)
    return False


def _demographics(event: object) -> list[str]:
    demo = getattr(event, "demographics", None)
    if demo is None:
        return []
    return [str(v) for v in demo.model_dump().values() if v is not None and len(str(v)) > 3]
