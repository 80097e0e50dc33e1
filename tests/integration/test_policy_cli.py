"""``ccm policy set|show`` as a compliance officer runs them: versions with who and why, bad
changes named and refused, and the practice's running patients told at once (real PostgreSQL,
real dev server)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from temporalio.testing import WorkflowEnvironment

from care.months import month_of, next_month, previous_month
from events.practice import PolicyChanged
from events.store import EventStore
from events.upstream import UpstreamEvent
from tests.integration.test_restore import ccm
from tests.integration.test_workflow_dev_server import recently
from tests.workflow.builders import TZ, Life
from upstream.client import CcmClient, EventRejected
from worker import build_worker

pytestmark = pytest.mark.integration


def entry_documented_late(p: Life, days: int) -> UpstreamEvent:
    """Time worked ``days`` ago, documented now."""
    now = datetime.now(UTC) - timedelta(minutes=1)
    worked = now - timedelta(days=days)
    return p.event(
        "time_logged", now, entry_id=f"t-{uuid.uuid4().hex[:8]}", staff_id="rn-1",
        role="clinical_staff", minutes=5, at=worked,
    )  # fmt: skip


async def test_a_policy_change_is_a_version_and_running_patients_use_it_at_once(
    dev_env: WorkflowEnvironment, pool: asyncpg.Pool, db_url: str, tmp_path: Path, task_queue: str
) -> None:
    practice = f"practice-{uuid.uuid4().hex[:8]}"
    env = {
        "CCM_DATABASE_URL": db_url, "CCM_DATA_DIR": str(tmp_path), "CCM_PRACTICE_TIMEZONE": TZ,
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
    }  # fmt: skip
    current = month_of(datetime.now(UTC), TZ)
    p = Life(f"pp{uuid.uuid4().hex[:8]}")
    async with build_worker(dev_env.client, pool, task_queue):
        sender = CcmClient(dev_env.client, task_queue, TZ)
        at = recently()
        await sender.send([p.identified(at, ["E11.9", "I10"], practice_id=practice)])
        first = await sender.send([entry_documented_late(p, 3)])  # within the default 365 days
        assert len(first.recorded + first.late) == 1 and not first.refused

        base = ("policy", "set", "--practice", practice, "--by", "compliance-1")
        why = ("--reason", "document within two days", "--effective", current)
        code, out, err = await ccm(env, *base, *why, "max_documentation_lag_days=2")
        assert code == 0, err
        summary = json.loads(out)
        assert (summary["version"], summary["effective_month"], summary.get("told")) == (
            1,
            current,
            1,
        ), summary.get("not_told")

        with pytest.raises(EventRejected) as refused:
            await sender.send([entry_documented_late(p, 3)])
        assert refused.value.field == "at"
        assert "max_documentation_lag_days" in str(refused.value)

    code, out, err = await ccm(env, "policy", "show", "--practice", practice)
    assert code == 0, err
    assert "version 1 from " + current + ", by compliance-1" in out
    assert "document within two days" in out and '"max_documentation_lag_days": 2' in out
    code, out, _ = await ccm(env, "policy", "show", "--practice", practice, "--month", current)
    assert json.loads(out.split("\n", 1)[1])["max_documentation_lag_days"] == 2
    code, out, _ = await ccm(
        env, "policy", "show", "--practice", practice, "--month", previous_month(current)
    )
    assert json.loads(out.split("\n", 1)[1])["max_documentation_lag_days"] == 365


@pytest.mark.parametrize(
    "change, effective, message",
    [
        ("grace_days=40", "next", "field grace_days: Input should be less than or equal to 28"),
        ("grace_dayz=4", "next", "field grace_dayz: no such policy"),
        ("grace_days", "next", "'grace_days' is not FIELD=VALUE"),
        ("grace_days=4", "previous", "a change takes effect from the current month"),
    ],
)
async def test_a_bad_change_is_named_and_nothing_is_recorded(
    db_url: str, tmp_path: Path, store: EventStore, change: str, effective: str, message: str
) -> None:
    current = month_of(datetime.now(UTC), TZ)
    month = next_month(current) if effective == "next" else previous_month(current)
    env = {"CCM_DATABASE_URL": db_url, "CCM_DATA_DIR": str(tmp_path), "CCM_PRACTICE_TIMEZONE": TZ}
    code, _, err = await ccm(
        env, "policy", "set", "--practice", "practice-9", "--by", "c-1", "--reason", "r",
        "--effective", month, change,
    )  # fmt: skip
    assert (code, message in err) == (2, True), err
    stored = await store.read_stream("practice-practice-9")
    assert [s.event for s in stored if isinstance(s.event, PolicyChanged)] == []
