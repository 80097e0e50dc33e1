"""``ccm claims queue|approve|reject``: the review queue, decisions as events with who and when,
bulk by filter, auto-approval by the policy version, and the audit packet naming the approver."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from care.months import month_end, month_of
from events.claims import claim_stream
from events.decisions import ClaimPrepared
from events.store import EventStore
from ops.policy import PolicyRequest, record_policy
from runtime.db_urls import DatabaseUrls
from runtime.settings import Settings

from .claims_practice import practice
from .test_report_cli import ccm

pytestmark = pytest.mark.integration


@pytest.fixture
async def prepared(store: EventStore) -> list[ClaimPrepared]:
    return await practice(store)


async def clear_of_month_end(zone: str, window: timedelta = timedelta(minutes=2)) -> datetime:
    """The real now, once the practice's month end is not within ``window``: the policy is
    recorded for this month, and the commands that look it up read the clock again later."""
    now = datetime.now(UTC)
    end = month_end(month_of(now, zone), zone)
    if end - now <= window:
        await asyncio.sleep((end - now).total_seconds() + 1)
        now = datetime.now(UTC)
    return now


async def queue(db_urls: DatabaseUrls, tmp_path: Path, *flags: str) -> list[dict[str, object]]:
    code, out, err = await ccm(db_urls, tmp_path, "claims", "queue", "--format", "json", *flags)
    assert code == 0, err
    rows: list[dict[str, object]] = json.loads(out)
    return rows


async def test_queue_filters_and_a_decision_is_an_event_with_who_and_why(
    db_urls: DatabaseUrls, tmp_path: Path, prepared: list[ClaimPrepared], store: EventStore
) -> None:
    waiting = await queue(db_urls, tmp_path)
    assert {r["claim_id"] for r in waiting} == {c.claim_id for c in prepared}
    assert {r["practice_id"] for r in waiting} == {"practice-1"}
    feb = await queue(db_urls, tmp_path, "--month", "2025-02", "--practice", "practice-1")
    assert feb and all(r["service_month"] == "2025-02" for r in feb)
    first, second = feb[0]["claim_id"], feb[-1]["claim_id"]
    code, _, err = await ccm(db_urls, tmp_path, "claims", "approve", str(first), "--by", "biller-1")
    assert code == 0, err
    code, _, err = await ccm(
        db_urls, tmp_path, "claims", "reject", str(second), "--by", "biller-2",
        "--reason", "consent form unsigned",
    )  # fmt: skip
    assert code == 0, err
    stored = await store.read_stream(claim_stream(str(first)))
    assert [(s.type, s.event.meta.actor) for s in stored] == [("claim_approved", "biller-1")]
    decided = {r["claim_id"]: r for r in await queue(db_urls, tmp_path, "--status", "any")}
    assert decided[first]["status"] == "approved" and decided[first]["reviewed_by"] == "biller-1"
    assert decided[second]["review_reason"] == "consent form unsigned"
    # A claim already decided is refused, named, and nothing is recorded twice.
    code, _, err = await ccm(db_urls, tmp_path, "claims", "approve", str(first), "--by", "b-3")
    assert code == 2 and f"claim {first}: is approved" in err
    assert len(await store.read_stream(claim_stream(str(first)))) == 1


async def test_bad_input_names_the_flag(
    db_urls: DatabaseUrls, tmp_path: Path, prepared: list[ClaimPrepared]
) -> None:
    code, _, err = await ccm(db_urls, tmp_path, "claims", "approve", "--by", "b-1")
    assert code == 2 and "CLAIM: name claims, a filter" in err
    code, _, err = await ccm(db_urls, tmp_path, "claims", "reject", "--all", "--by", "b-1")
    assert code == 2 and "--reason" in err
    code, _, err = await ccm(db_urls, tmp_path, "claims", "approve", "--all", "--by", "x y")
    assert code == 2 and "--by: must be an opaque id" in err and "x y" not in err
    code, _, err = await ccm(db_urls, tmp_path, "claims", "queue", "--max-amount", "lots")
    assert code == 2 and "amount must be a decimal" in err


async def test_bulk_approval_by_filter_and_auto_approval_by_policy_version(
    db_urls: DatabaseUrls, tmp_path: Path, prepared: list[ClaimPrepared], store: EventStore
) -> None:
    code, out, err = await ccm(
        db_urls, tmp_path, "claims", "approve", "--month", "2025-01", "--by", "biller-1"
    )
    assert code == 0, err
    assert out.count("approved by biller-1") == sum(c.service_month == "2025-01" for c in prepared)
    # Off by default: the policy leaves every claim for a person, saying why.
    code, out, _ = await ccm(db_urls, tmp_path, "claims", "approve", "--all", "--by-policy")
    assert code == 0 and "left for review (claims_auto_approve is off)" in out
    # The month in force where the command looks it up (the practice's zone, not UTC: on a
    # month's last evening in New York, UTC is already in the next month).
    zone = Settings.from_env().practice_timezone
    now = await clear_of_month_end(zone)
    req = PolicyRequest("practice-1", month_of(now, zone), {"claims_auto_approve": "true"},
                        "cco-1", "auto-approve clean months")  # fmt: skip
    await record_policy(store, req, now, zone)
    code, out, err = await ccm(db_urls, tmp_path, "claims", "approve", "--all", "--by-policy")
    assert code == 0, err
    assert "approved by policy-v1" in out
    rows = await queue(db_urls, tmp_path, "--status", "approved")
    by_policy = [r for r in rows if r["reviewed_by"] == "policy-v1"]
    assert by_policy and all(r["policy_version"] == 1 for r in by_policy)
    # The audit packet says who approved.
    month = str(by_policy[0]["service_month"])
    code, out, err = await ccm(
        db_urls, tmp_path, "report", "audit", "--patient", str(by_policy[0]["patient_id"]),
        "--month", month,
    )  # fmt: skip
    assert code == 0, err
    assert "approved" in out and "policy-v1" in out and "policy version 1" in out
