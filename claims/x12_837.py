"""An X12 5010 837P (005010X222A1) for approved claims: pure, claims in, file text out.

One interchange (ISA/IEA) with one functional group and one transaction; the billing provider
is the one 2000A loop, and each claim is its own subscriber loop (2000B, the patient is the
subscriber: Medicare Part B with the MBI as member id) with one CLM, the patient's qualifying
conditions as diagnoses (HI, ICD-10-CM without the dot) and one service line per code with its
units, date of service and pointers to the first four diagnoses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from claims.provider import BillingProvider
from events.decisions import ClaimPrepared

VERSION = "005010X222A1"
FREQUENCY = {"original": "1", "replacement": "7"}
MAX_DIAGNOSES = 12
MAX_POINTERS = 4
_UNSAFE = re.compile(r"[^A-Z0-9 .,'-]")


class ExportRefused(ValueError):
    """A claim cannot be written as an 837P; names the claim and the field, never PHI."""


@dataclass(frozen=True)
class Subscriber:
    """PHI from the patient's ``patient_identified``: kept in the file, never in a message."""

    last_name: str
    first_name: str
    mbi: str
    birth_date: date | None
    address: SubscriberAddress | None = None  # 2010BA N3/N4: Medicare requires it
    sex: Literal["F", "M", "U"] = "U"  # DMG03, the administrative sex


@dataclass(frozen=True)
class SubscriberAddress:
    """PHI, like ``Subscriber``; already bounded by the contract (``events.upstream.Address``)."""

    line1: str
    line2: str | None
    city: str
    state: str
    zip: str


@dataclass(frozen=True)
class ExportClaim:
    claim: ClaimPrepared
    subscriber: Subscriber
    diagnoses: tuple[str, ...]
    line_charges: tuple[Decimal, ...]  # one per claim line, for all its units
    frequency: Literal["original", "replacement"] = "original"
    original_ref: str | None = None  # the payer's claim control number (a replacement's REF*F8)

    @property
    def charge(self) -> Decimal:
        return sum(self.line_charges, Decimal(0))


def text(value: str) -> str:
    """An element's text: upper case, no separator characters."""
    return _UNSAFE.sub(" ", value.upper()).strip()


def amount(value: Decimal) -> str:
    """An X12 decimal: no trailing zeros after the point, no point for whole amounts."""
    shown = f"{value.quantize(Decimal('0.01'))}"
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


def build_837p(provider: BillingProvider, claims: list[ExportClaim], icn: int, at: datetime) -> str:
    """The file text: one segment per line, ``~`` terminated; ``icn`` is ISA13 and GS06."""
    if not claims:
        raise ExportRefused("no claims to export")
    body = _header(provider, icn, at)
    hl = 1
    for c in claims:
        hl += 1
        body += _claim(provider, c, hl)
    st = ["ST*837*0001*" + VERSION, *body]
    segments = [
        *_envelope(provider, icn, at),
        *st,
        f"SE*{len(st) + 1}*0001",
        f"GE*1*{icn}",
        f"IEA*1*{icn:09d}",
    ]
    return "".join(s + "~\n" for s in segments)


def _envelope(p: BillingProvider, icn: int, at: datetime) -> list[str]:
    isa = (
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{p.submitter_id:<15}*ZZ*{p.receiver_id:<15}"
        f"*{at:%y%m%d}*{at:%H%M}*^*00501*{icn:09d}*0*{p.usage}*:"
    )
    return [isa, f"GS*HC*{p.submitter_id}*{p.receiver_id}*{at:%Y%m%d}*{at:%H%M}*{icn}*X*{VERSION}"]


def _header(p: BillingProvider, icn: int, at: datetime) -> list[str]:
    return [
        f"BHT*0019*00*{icn}*{at:%Y%m%d}*{at:%H%M}*CH",
        f"NM1*41*2*{text(p.name)}*****46*{p.submitter_id}",
        f"PER*IC*BILLING*TE*{p.contact_phone}",
        f"NM1*40*2*{text(p.receiver_name)}*****46*{p.receiver_id}",
        "HL*1**20*1",
        f"PRV*BI*PXC*{p.taxonomy}",
        f"NM1*85*2*{text(p.name)}*****XX*{p.npi}",
        f"N3*{text(p.address)}",
        f"N4*{text(p.city)}*{p.state}*{p.zip}",
        f"REF*EI*{p.tax_id}",
    ]


def _claim(p: BillingProvider, c: ExportClaim, hl: int) -> list[str]:
    claim, s = c.claim, c.subscriber
    _check(c)
    out = [
        f"HL*{hl}*1*22*0",
        "SBR*P*18*******MB",
        f"NM1*IL*1*{text(s.last_name)}*{text(s.first_name)}****MI*{text(s.mbi)}",
    ]
    if s.address is not None:
        a = s.address
        out.append(f"N3*{text(a.line1)}" + (f"*{text(a.line2)}" if a.line2 else ""))
        out.append(f"N4*{text(a.city)}*{a.state}*{a.zip}")
    if s.birth_date is not None:
        out.append(f"DMG*D8*{s.birth_date:%Y%m%d}*{s.sex}")
    out += [
        f"NM1*PR*2*{text(p.payer_name)}*****PI*{p.payer_id}",
        f"CLM*{claim.claim_id}*{amount(c.charge)}***{p.place_of_service}:B:"
        f"{FREQUENCY[c.frequency]}*Y*A*Y*Y",
    ]
    if c.frequency == "replacement":
        out.append(f"REF*F8*{text(c.original_ref or '')}")
    codes = [d.replace(".", "") for d in c.diagnoses[:MAX_DIAGNOSES]]
    out.append("HI*" + "*".join(("ABK:" if i == 0 else "ABF:") + d for i, d in enumerate(codes)))
    pointers = ":".join(str(i + 1) for i in range(min(len(codes), MAX_POINTERS)))
    for n, (line, charge) in enumerate(zip(claim.codes, c.line_charges, strict=True), start=1):
        out += [
            f"LX*{n}",
            f"SV1*HC:{line.code}*{amount(charge)}*UN*{line.units}***{pointers}",
            f"DTP*472*D8*{line.date_of_service:%Y%m%d}",
        ]
    return out


def _check(c: ExportClaim) -> None:
    cid = c.claim.claim_id
    if len(cid) > 38 or not re.fullmatch(r"[A-Za-z0-9.-]+", cid):
        raise ExportRefused(f"claim {cid}: field claim_id does not fit CLM01 (38 of A-Z 0-9 . -)")
    if not c.diagnoses:
        raise ExportRefused(f"claim {cid}: field diagnoses: no qualifying condition on record")
    if not text(c.subscriber.mbi) or not text(c.subscriber.last_name):
        raise ExportRefused(f"claim {cid}: field demographics: MBI and name are required")
    if c.frequency == "replacement" and not c.original_ref:
        raise ExportRefused(
            f"claim {cid}: field payer_claim_control_number: a replacement needs the original's"
        )
    if len(c.line_charges) != len(c.claim.codes) or c.charge <= 0:
        raise ExportRefused(f"claim {cid}: field codes: every line needs a price (unpriced)")
