"""The claims round trip on the real servers: months closed by the workflows → approved →
exported as an 837P (pyx12-valid) → a 999 and two 835s from a FAKE payer (paid, short-paid,
denied, reversed, corrected, and a claim the engine never sent) → reconciliation."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from billing.fee_store import ImportRequest, save_schedule
from care.fees import FeeEntry
from claims.acks import parse_ack, record_acks
from claims.export import ExportRequest, export
from claims.provider import BillingProvider
from claims.queue import ClaimFilter, claims
from claims.reconciliation import reconciliation, totals
from claims.remittance import import_835
from claims.remittance_report import remittance_lines
from claims.review import Decision, decide
from claims.x12_validate import validate_x12
from events.upstream import ClaimAdjudicated
from projections.runner import catch_up
from runtime.db_urls import DatabaseUrls

from ..integration.fake_clearinghouse import FakeClearinghouse, Fate, pcn
from ..integration.test_report_cli import ccm
from .builders import TZ, closable_months, in_month, settle
from .conftest import Engine

FATES: tuple[Fate, ...] = ("paid", "short", "denied", "paid", "paid")


async def price_the_year(engine: Engine, year: int) -> None:
    """The practice's own fee file for the month's year, so the test holds in any year."""
    entries = [FeeEntry(year=year, code="99490", allowed=Decimal("66.13"), source="test")]
    digest = hashlib.sha256(str(year).encode()).hexdigest()
    req = ImportRequest("practice-1", year, date(year, 1, 1), None, "fees.csv", digest, "test",
                        entries)  # fmt: skip
    await save_schedule(engine.pool, req)


async def test_close_approve_export_remit_reconcile(
    engine: Engine, db_urls: DatabaseUrls, tmp_path: Path
) -> None:
    [month] = closable_months(await engine.now(), 1)
    await price_the_year(engine, int(month[:4]))
    patients = [engine.patient() for _ in FATES]
    for i, p in enumerate(patients):
        start = in_month(month, 2, hour=9)
        fake_person = {"name": f"Ann{i} Synth-Tester", "mbi": f"0SYNTH{i:05d}",
                       "birth_date": "1950-01-02"}  # fmt: skip
        await engine.client.send([
            p.identified(start, ["E11.9", "I10"], demographics=fake_person),
            p.consent(start + timedelta(hours=1)), p.care_plan(start + timedelta(hours=2)),
            p.time(in_month(month, 10), 25),
        ])  # fmt: skip
    await settle(engine.env.client, engine.patients)
    waiting = await claims(engine.pool, ClaimFilter(month=month))
    assert len(waiting) == len(FATES)
    now = await engine.now()
    for row in waiting:
        await decide(engine.pool, row.claim_id, Decision("approved", "biller-1", now))
    fake = FakeClearinghouse()
    req = ExportRequest(ClaimFilter(month=month), "x12-837p", "biller-1", now)
    exported = await export(engine.pool, req, BillingProvider(), fake)
    assert exported.icn is not None and not exported.refused
    [x12] = fake.sent.values()
    verdict = validate_x12(x12)
    assert verdict.valid, verdict.problems
    await record_acks(engine.pool, parse_ack(verdict.ack_999))  # the clearinghouse's 999

    ids = [f"claim-{p.id}-{month}" for p in patients]
    first = fake.remit(dict(zip(ids, FATES, strict=True)), now.date(), ("claim-stranger-2001-01",))
    second = fake.remit({ids[3]: "corrected", ids[4]: "reversed"}, now.date())
    for n, text in enumerate((first, second)):
        assert validate_x12(text, with_999=False).valid
        result = await import_835(engine.pool, engine.client, f"r{n}.835", text, "biller-1", now)
        assert not result.refused
    again = await import_835(engine.pool, engine.client, "r0.835", first, "biller-1", now)
    assert not again.new_file and not again.refused

    adjudicated = [s.event for p in patients for s in await engine.events(p, "claim_adjudicated")]
    assert len(adjudicated) == 8  # 5, then 2 reversals and a correction; none re-imported
    assert all(isinstance(e, ClaimAdjudicated) and e.payer_claim_control_number
               for e in adjudicated)  # fmt: skip
    await catch_up(engine.pool, ["ledger"])
    rows = {r.claim_id: r for r in await reconciliation(engine.pool, month, now, TZ)}
    assert [rows[i].finding for i in ids] == ["paid", "short-paid", "denied", "paid", "reversed"]
    assert rows[ids[2]].reasons == ["CO-16", "N290"] and rows[ids[4]].paid == 0
    short = rows[ids[1]].variance
    assert short is not None and short < 0
    assert all(r.ack == "999 A" for r in rows.values())
    assert "5 claim(s)" in totals(list(rows.values()))
    unmatched = await remittance_lines(engine.pool, unmatched_only=True)
    assert [u.submitted_claim_id for u in unmatched] == ["claim-stranger-2001-01"]
    # The denied claim, corrected at the practice, goes again as a replacement of the original.
    resend = ExportRequest(ClaimFilter(claim_ids=(ids[2],)), "x12-837p", "biller-1", now, True)
    replaced = await export(engine.pool, resend, BillingProvider(), fake)
    assert replaced.icn == exported.icn + 1 and replaced.claim_ids == (ids[2],)
    replacement = fake.sent[f"ccm-837p-{replaced.icn:09d}.x12"]
    assert validate_x12(replacement).valid
    assert "*11:B:7*" in replacement and f"REF*F8*{pcn(1, ids[2])}~" in replacement
    # The same, as a biller reads it.
    code, out, err = await ccm(db_urls, tmp_path, "report", "reconciliation", "--month", month)
    assert code == 0, err
    assert "short-paid" in out and "5 claim(s): expected" in out
    code, out, err = await ccm(db_urls, tmp_path, "report", "remittance", "--unmatched")
    assert code == 0 and "claim-stranger-2001-01" in out and "1 payment(s) matching no claim" in out
