"""Reading an X12 5010 835 (005010X221A1) remittance: pure, file text in, claim payments out.

Segments come from pyx12's reader (``X12Reader``), so separators are whatever the ISA says. Each
CLP starts a claim payment; CAS at claim or line level are its adjustments (group + CARC +
amount), MOA/LQ*HE its remarks (RARCs); a CLP02 22 is a reversal, and a claim paid again after
its reversal in the same file is a correction.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import pyx12.errors
import pyx12.x12file

Outcome = Literal["paid", "adjusted", "denied", "reversed", "corrected"]
PAID_STATUS = {"1", "2", "3", "19", "20", "21"}
DENIED, REVERSAL = "4", "22"
# Medicare's routine reductions: the fee schedule (CO-45), the sequestration (CO-253) and the
# patient's deductible, coinsurance and copay (PR-1/2/3). Any other adjustment: "adjusted".
ROUTINE = {"CO-45", "CO-253", "PR-1", "PR-2", "PR-3"}


class RemittanceError(ValueError):
    """The file is not a readable 835; names the segment, never a value."""


@dataclass
class Adjustment:
    code: str  # group-reason, e.g. CO-45
    amount: Decimal


@dataclass
class ClaimPayment:
    seq: int
    claim_id: str  # CLP01
    status_code: str  # CLP02
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None
    payer_control_number: str | None
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    outcome: Outcome = "paid"

    @property
    def reason_codes(self) -> list[str]:
        return list(dict.fromkeys(a.code for a in self.adjustments))


@dataclass
class Remittance:
    payer: str | None = None
    check_number: str | None = None
    paid_on: date | None = None
    claims: list[ClaimPayment] = field(default_factory=list)


def parse_835(text: str) -> Remittance:
    """Every claim payment of the file, in order, each with its outcome."""
    try:
        reader = pyx12.x12file.X12Reader(io.StringIO(text))
        segments = list(reader)
    except pyx12.errors.X12Error as exc:
        raise RemittanceError(f"not an X12 file ({type(exc).__name__})") from None
    remit = Remittance()
    for seg in segments:
        _apply(remit, seg)
    _outcomes(remit.claims)
    return remit


def _apply(r: Remittance, seg: Any) -> None:
    sid = seg.get_seg_id()
    v = seg.get_value
    if sid == "BPR":
        r.paid_on = _date(v("BPR16"), "BPR16")
    elif sid == "TRN":
        r.check_number = v("TRN02")
    elif sid == "N1" and v("N101") == "PR":
        r.payer = v("N102")
    elif sid == "CLP":
        r.claims.append(ClaimPayment(
            seq=len(r.claims) + 1, claim_id=v("CLP01") or "", status_code=v("CLP02") or "",
            charge=_money(v("CLP03"), "CLP03"), paid=_money(v("CLP04"), "CLP04"),
            patient_responsibility=_money(v("CLP05"), "CLP05") if v("CLP05") else None,
            payer_control_number=v("CLP07") or None,
        ))  # fmt: skip
    elif sid == "CAS" and r.claims:
        group = v("CAS01")
        for i in range(2, 19, 3):
            reason = v(f"CAS{i:02d}")
            if reason:
                amount = _money(v(f"CAS{i + 1:02d}"), f"CAS{i + 1:02d}")
                r.claims[-1].adjustments.append(Adjustment(f"{group}-{reason}", amount))
    elif sid == "MOA" and r.claims:
        r.claims[-1].remarks += [v(f"MOA{i:02d}") for i in range(3, 8) if v(f"MOA{i:02d}")]
    elif sid == "LQ" and v("LQ01") == "HE" and r.claims:
        r.claims[-1].remarks.append(v("LQ02"))


def _outcomes(claims: list[ClaimPayment]) -> None:
    reversed_ids: set[str] = set()
    for c in claims:
        if c.status_code == REVERSAL:
            c.outcome = "reversed"
            reversed_ids.add(c.claim_id)
        elif c.claim_id in reversed_ids and c.status_code in PAID_STATUS:
            c.outcome = "corrected"
        elif c.status_code == DENIED or c.paid == 0:
            c.outcome = "denied"
        elif set(c.reason_codes) - ROUTINE:
            c.outcome = "adjusted"
        else:
            c.outcome = "paid"


def _money(text: str | None, where: str) -> Decimal:
    try:
        return Decimal(text or "")
    except InvalidOperation:
        raise RemittanceError(f"{where}: not an amount") from None


def _date(text: str | None, where: str) -> date | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise RemittanceError(f"{where}: not a date (CCYYMMDD)") from None
