"""``ccm report`` and ``ccm projections`` as a user runs them, against a real database."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import sys
from pathlib import Path

import asyncpg
import pytest

from bench.synthetic import patient_history
from events.base import stream_for
from events.store import EventStore
from runtime.db_urls import DatabaseUrls

pytestmark = pytest.mark.integration


def role_env(urls: DatabaseUrls) -> dict[str, str]:
    """A deployment's three role URLs, as its operators would set them."""
    return {
        "CCM_DATABASE_URL": urls.app,
        "CCM_DATABASE_OWNER_URL": urls.owner,
        "CCM_DATABASE_REPORT_URL": urls.report,
    }


async def ccm(db_urls: DatabaseUrls, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, **role_env(db_urls), "CCM_DATA_DIR": str(tmp_path)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@pytest.fixture
async def practice(store: EventStore) -> int:
    total = 0
    for i in range(4):
        events = patient_history(f"p{i}", "2025-01", 3, seed=5)
        await store.append(stream_for(events[0].patient_id), events, expected_version=0)
        total += len(events)
    return total


async def test_billing_in_three_formats_with_stable_fields(
    db_urls: DatabaseUrls, tmp_path: Path, practice: int
) -> None:
    code, out, _ = await ccm(
        db_urls, tmp_path, "report", "billing", "--month", "2025-02", "--format", "json"
    )
    assert code == 0
    rows = json.loads(out)
    fields = {"patient_id", "codes", "allowed", "expected_payment", "paid", "variance", "why"}
    assert len(rows) == 4 and fields <= set(rows[0])
    code, out, _ = await ccm(
        db_urls, tmp_path, "report", "billing", "--month", "2025-02", "--format", "csv"
    )
    assert code == 0 and next(iter(csv.DictReader(io.StringIO(out)))).keys() == rows[0].keys()
    code, out, _ = await ccm(db_urls, tmp_path, "report", "billing", "--month", "2025-02")
    assert code == 0 and "patient_id" in out and "4 patient-months closed" in out


async def test_audit_packet_and_bad_input_exit_codes(
    db_urls: DatabaseUrls, tmp_path: Path, practice: int
) -> None:
    code, out, _ = await ccm(
        db_urls, tmp_path, "report", "audit", "--patient", "p1", "--month", "2025-01"
    )
    assert code == 0 and "== Consent and disclosures ==" in out and "Record unaltered" in out
    code, _, err = await ccm(
        db_urls, tmp_path, "report", "audit", "--patient", "p1", "--month", "2030-01"
    )
    assert code == 2 and "no closed month 2030-01" in err
    code, _, err = await ccm(db_urls, tmp_path, "report", "billing", "--month", "2025-13")
    assert code == 2 and "YYYY-MM" in err


async def test_status_and_rebuild(
    db_urls: DatabaseUrls, tmp_path: Path, practice: int, pool: asyncpg.Pool
) -> None:
    code, out, _ = await ccm(db_urls, tmp_path, "report", "funnel", "--format", "json")
    assert code == 0 and json.loads(out)[0]["phase"] == "identified"
    code, out, err = await ccm(db_urls, tmp_path, "projections", "rebuild", "ledger")
    assert (
        code == 0
        and f"rebuilt ledger up to position {practice}" in out
        and "rebuilding ledger" in err
    )
    code, out, _ = await ccm(db_urls, tmp_path, "projections", "status", "--format", "json")
    by_name = {s["name"]: s for s in json.loads(out)}
    assert code == 0 and by_name["ledger"]["checkpoint"] == practice
    assert by_name["ledger"]["state"] == "caught up"
    code, out, _ = await ccm(db_urls, tmp_path, "projections", "status")
    assert code == 0 and "caught up" in out
    # Rebuilt by the owner, the swapped-in ledger still serves the report role.
    code, out, err = await ccm(
        db_urls, tmp_path, "report", "billing", "--month", "2025-02", "--no-catch-up"
    )
    assert code == 0 and "4 patient-months closed" in out, err
