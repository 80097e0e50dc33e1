"""FAKE of the payer and the clearinghouse, systems outside the engine: takes the 837P files the
export sends and answers them with 835 remittances a test chooses per claim (paid, short-paid,
denied, reversed, corrected), built from the claims as the 837P carried them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from claims.transport import InboundFile
from claims.x12_837 import amount

Fate = Literal["paid", "short", "denied", "reversed", "corrected"]
CENT = Decimal("0.01")


@dataclass(frozen=True)
class SentClaim:
    claim_id: str
    last: str
    first: str
    mbi: str
    lines: tuple[tuple[str, Decimal, int, str], ...]  # code, charge, units, date


class FakeClearinghouse:
    """The ``claims.transport.Clearinghouse`` interface, in memory."""

    def __init__(self) -> None:
        self.sent: dict[str, str] = {}
        self.inbound: list[InboundFile] = []
        self.files = 0

    def send(self, name: str, content: str) -> str:
        assert name not in self.sent, "a file sent is never replaced"
        self.sent[name] = content
        return f"fake:{name}"

    def receive(self) -> list[InboundFile]:
        return list(self.inbound)

    def claims(self) -> dict[str, SentClaim]:
        return {c.claim_id: c for text in self.sent.values() for c in parse_837p(text)}

    def remit(self, fates: dict[str, Fate], paid_on: date, unknown: tuple[str, ...] = ()) -> str:
        """An 835 for ``fates`` (claim id -> fate) and claims the engine never sent."""
        sent = self.claims()
        self.files += 1
        clps: list[str] = []
        for claim_id, fate in fates.items():
            clps += _clp_reversal(sent[claim_id], self.files) if fate in ("reversed",
                    "corrected") else []  # fmt: skip
            if fate != "reversed":
                clps += _clp(sent[claim_id], fate, pcn(self.files, claim_id))
        for claim_id in unknown:
            line = ("99490", Decimal("60.49"), 1, f"{paid_on:%Y%m%d}")
            stranger = SentClaim(claim_id, "NOBODY", "KNOWN", "0SYNTH99999", (line,))
            clps += _clp(stranger, "paid", pcn(self.files, claim_id))
        text = _envelope(clps, paid_on, 100 + self.files)
        self.inbound.append(InboundFile(f"remit-{self.files}.835", "835", text))
        return text


def parse_837p(text: str) -> list[SentClaim]:
    """The claims of an 837P, as a payer reads them (enough for a remittance)."""
    out: list[SentClaim] = []
    name = ("", "", "")
    lines: list[tuple[str, Decimal, int, str]] = []
    claim_id = None
    for seg in [s.strip() for s in text.split("~") if s.strip()]:
        e = seg.split("*")
        if e[0] == "NM1" and e[1] == "IL":
            name = (e[3], e[4], e[9])
        elif e[0] == "CLM":
            if claim_id:
                out.append(SentClaim(claim_id, *name, tuple(lines)))
            claim_id, lines = e[1], []
        elif e[0] == "SV1":
            lines.append((e[1].split(":")[1], Decimal(e[2]), int(e[4]), ""))
        elif e[0] == "DTP" and e[1] == "472":
            code, charge, units, _ = lines[-1]
            lines[-1] = (code, charge, units, e[3])
    if claim_id:
        out.append(SentClaim(claim_id, *name, tuple(lines)))
    return out


def _line(code: str, charge: Decimal, units: int, on: str, fate: Fate, sign: int) -> tuple[
        list[str], Decimal]:  # fmt: skip
    """One SVC with its adjustments; returns the segments and the line's payment."""
    if fate == "denied":
        cas = [f"CAS*CO*16*{amount(charge * sign)}"]
        return [f"SVC*HC:{code}*{amount(charge * sign)}*0**{units}", f"DTM*472*{on}", *cas,
                "LQ*HE*N290"], Decimal(0)  # fmt: skip
    allowed = (charge * Decimal("0.9")).quantize(CENT) if fate == "short" else charge
    # Medicare's payment as the engine expects it (80% less 2%), rounded once, so a claim
    # paid as priced reconciles to the cent; the rest is coinsurance and sequestration.
    coins = (allowed * Decimal("0.2")).quantize(CENT)
    paid = (allowed * Decimal("0.784")).quantize(CENT)
    seq = allowed - coins - paid
    cas = [f"CAS*PR*2*{amount(coins * sign)}", f"CAS*CO*253*{amount(seq * sign)}"]
    if charge != allowed:
        cas.insert(0, f"CAS*CO*45*{amount((charge - allowed) * sign)}")
    segs = [f"SVC*HC:{code}*{amount(charge * sign)}*{amount(paid * sign)}**{units}",
            f"DTM*472*{on}", *cas, f"AMT*B6*{amount(allowed * sign)}"]  # fmt: skip
    return segs, paid


def _clp(c: SentClaim, fate: Fate, control: str, sign: int = 1, status: str = "") -> list[str]:
    body: list[str] = []
    paid = Decimal(0)
    for code, charge, units, on in c.lines:
        segs, line_paid = _line(code, charge, units, on, fate, sign)
        body += segs
        paid += line_paid
    charge = sum((ln[1] for ln in c.lines), Decimal(0))
    status = status or ("4" if fate == "denied" else "1")
    patient = sum((Decimal(s.split("*")[3]) for s in body if s.startswith("CAS*PR*")), Decimal(0))
    return [
        f"CLP*{c.claim_id}*{status}*{amount(charge * sign)}*{amount(paid * sign)}*"
        f"{amount(patient)}*MB*{control}*11*1",
        f"NM1*QC*1*{c.last}*{c.first}****MI*{c.mbi}",
        *body,
    ]


def _clp_reversal(c: SentClaim, n: int) -> list[str]:
    """Takes back the first payment (CLP02 22, amounts negated, the original's control no.)."""
    return _clp(c, "paid", pcn(n - 1, c.claim_id), sign=-1, status="22")


def pcn(file_no: int, claim_id: str) -> str:
    """The payer's claim control number: one per claim per adjudication."""
    return f"PCN{file_no}{hashlib.sha256(claim_id.encode()).hexdigest()[:10].upper()}"


def _envelope(clps: list[str], on: date, icn: int) -> str:
    paid = sum((Decimal(s.split("*")[4]) for s in clps if s.startswith("CLP*")), Decimal(0))
    bpr = (f"BPR*I*{amount(paid)}*C*CHK************{on:%Y%m%d}" if paid > 0
           else f"BPR*H*0*C*NON************{on:%Y%m%d}")  # fmt: skip
    st = [
        "ST*835*0001", bpr, f"TRN*1*CHK{icn}*1999999999", f"DTM*405*{on:%Y%m%d}",
        "N1*PR*MEDICARE PART B", "N3*PO BOX 1", "N4*TESTVILLE*MD*21244",
        "PER*BL*EDI*TE*5555550199", "N1*PE*SYNTHETIC CARE PRACTICE*XX*1234567893", "LX*1", *clps,
    ]  # fmt: skip
    segs = [
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{'CLEARINGHOUSE':<15}*ZZ*{'CCMSUBMITTER':<15}"
        f"*{on:%y%m%d}*1200*^*00501*{icn:09d}*0*T*:",
        f"GS*HP*CLEARINGHOUSE*CCMSUBMITTER*{on:%Y%m%d}*1200*{icn}*X*005010X221A1",
        *st, f"SE*{len(st) + 1}*0001", f"GE*1*{icn}", f"IEA*1*{icn:09d}",
    ]  # fmt: skip
    return "".join(s + "~\n" for s in segs)
