"""``ccm claims export``: approved claims only, a valid 837P (pyx12) or CSV, interchange control
numbers recorded, and a re-export refused or marked a replacement, never a second original."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from claims.review import Decision, decide
from claims.x12_validate import validate_x12
from events.decisions import ClaimPrepared
from events.store import EventStore
from runtime.db_urls import DatabaseUrls

from .claims_practice import practice
from .test_report_cli import ccm

pytestmark = pytest.mark.integration


def read(path: str) -> str:
    return Path(path).read_text(encoding="ascii")


async def approve(pool: asyncpg.Pool, claims: list[ClaimPrepared]) -> None:
    for c in claims:
        await decide(pool, c.claim_id, Decision("approved", "biller-1", datetime.now(UTC)))


async def test_837p_of_approved_claims_is_valid_and_never_a_second_original(
    db_urls: DatabaseUrls, tmp_path: Path, store: EventStore, pool: asyncpg.Pool
) -> None:
    prepared = await practice(store)
    jan = [c for c in prepared if c.service_month == "2025-01"]
    await approve(store.pool, jan)
    out = tmp_path / "drop"
    code, text, err = await ccm(db_urls, tmp_path, "claims", "export", "--by", "biller-1",
                                "--out", str(out))  # fmt: skip
    assert code == 0, err
    summary = json.loads(text)
    assert sorted(summary["claims"]) == sorted(c.claim_id for c in jan)
    x12 = read(summary["file"])
    verdict = validate_x12(x12)
    assert verdict.valid, verdict.problems
    icn = summary["interchange_control_number"]
    assert f"*{icn:09d}*" in x12 and x12.count("~\nCLM*") == len(jan)
    assert (
        "NM1*IL*1*SYNTH-TESTER*ANN" in x12
        and "****MI*0SYNTH" in x12
        and "HI*ABK:E119*ABF:I10" in x12
    )
    assert "*11:B:1*" in x12  # place of service 11, original
    # Even patients carry an address and sex (N3/N4, DMG03); odd ones go out flagged, unaddressed.
    assert "N3*2 SYNTHETIC WAY~\nN4*TESTVILLE*MD*21244~\nDMG*D8*19500103*F~" in x12
    assert "DMG*D8*19500102*U~" in x12
    unaddressed = sorted(c.claim_id for c in jan if c.patient_id in ("p1", "p3"))
    assert sorted(summary["warnings"]) == [
        f"claim {c}: no subscriber address: the payer may reject it" for c in unaddressed
    ]
    assert "SYNTHETIC WAY" not in text.upper() and "21244" not in text
    recorded = await pool.fetch("SELECT claim_id, frequency FROM claim_export_items")
    assert {(r["claim_id"], r["frequency"]) for r in recorded} == {(c.claim_id, "original")
                                                                  for c in jan}  # fmt: skip
    # Again: nothing left to export; naming a claim says why; a replacement needs the payer's
    # control number of the original (none yet: no remittance).
    code, _, err = await ccm(db_urls, tmp_path, "claims", "export", "--by", "b", "--out", str(out))
    assert code == 2 and "nothing exported" in err
    named = jan[0].claim_id
    code, text, _ = await ccm(db_urls, tmp_path, "claims", "export", named, "--by", "b",
                              "--out", str(out))  # fmt: skip
    assert code == 2, (text, _)
    assert "already exported in interchange" in json.loads(text)["refused"][0]
    code, text, _ = await ccm(db_urls, tmp_path, "claims", "export", named, "--by", "b",
                              "--replacement", "--out", str(out))  # fmt: skip
    assert code == 2 and "payer_claim_control_number" in json.loads(text)["refused"][0]
    assert await pool.fetchval("SELECT count(*) FROM claim_exports") == 1


async def test_csv_export_and_unapproved_claims_stay_out(
    db_urls: DatabaseUrls, tmp_path: Path, store: EventStore
) -> None:
    prepared = await practice(store, patients=2)
    feb = [c for c in prepared if c.service_month == "2025-02"]
    await approve(store.pool, feb)
    code, text, err = await ccm(db_urls, tmp_path, "claims", "export", "--format", "csv",
                                "--by", "biller-1", "--out", str(tmp_path))  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(read(json.loads(text)["file"]))))
    assert {r["claim_id"] for r in rows} == {c.claim_id for c in feb}
    assert all(r["frequency"] == "original" and r["place_of_service"] == "11" for r in rows)


async def test_a_bad_billing_setting_is_named(
    db_urls: DatabaseUrls, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCM_BILLING_NPI", "12345")
    code, _, err = await ccm(db_urls, tmp_path, "claims", "export", "--by", "b")
    assert code == 2 and "CCM_BILLING_NPI: not a valid value" in err and "12345" not in err
