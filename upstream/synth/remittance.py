"""Step 5's answer from the outside: the clearinghouse's remittance for a claim the engine sent.

Claim ids are the engine's: ``claim-<patient_id>-<YYYY-MM>``. The synthetic payer is Medicare:
it allows each code at the national non-facility amount (``care/data/fee_schedule.csv``) and pays
80% of it less the 2% sequestration, reporting the coinsurance (PR-2) and the sequestration
(CO-253) as every Medicare remittance does. About 1 claim in 20 is short-paid (the locality's
amount is 5% under the national one: CO-45) and 1 in 25 denied (CO-16 with a remark, or CO-97).
Remittances arrive 2-3 weeks after the month's grace period, so only older closed months have
one by the end of the feed.

The payer always knows its own price: for a code the fee file leaves unpriced it allows the
CY2025 RVU times the year's conversion factor. The engine must not guess such an amount; the
synthetic payer may.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from care.fees import NATIONAL, expected_payment
from events.upstream import ClaimAdjudicated
from upstream.synth.scene import Codes, Scene
from upstream.synth.timeline import Month

GRACE_DAYS = 3
DENIAL_CODES = ("CO-16", "CO-97")
PAID_CODES = ["PR-2", "CO-253"]  # coinsurance, sequestration
SHORT_PAY = Decimal("0.95")

# CY2025 non-facility total RVUs (PPRRVU25; see care/data/fee_schedule.csv).
_RVU_2025 = {
    "99490": "1.87", "99439": "1.42", "99491": "2.54", "99437": "1.78", "99487": "4.07",
    "99489": "2.18", "99424": "2.50", "99425": "1.82", "99426": "1.91", "99427": "1.56",
    "G0506": "1.88", "G0556": "0.47", "G0557": "1.51", "G0558": "3.31",
}  # fmt: skip
_CONVERSION = {2025: Decimal("32.3465"), 2026: Decimal("33.4009")}


def price(code: str, year: int) -> Decimal:
    """What the synthetic payer allows for one unit of ``code`` in ``year``."""
    national = NATIONAL.amount(year, code)
    if national is not None:
        return national
    factor = _CONVERSION[2026 if year >= 2026 else 2025]
    return (Decimal(_RVU_2025[code]) * factor).quantize(Decimal("0.01"), ROUND_HALF_UP)


def allowed(codes: Codes, year: int) -> Decimal:
    return sum((price(code, year) * units for code, units in codes), Decimal("0.00"))


def claim_id(patient_id: str, month: Month) -> str:
    """The engine's claim id for one patient-month (exactly this format)."""
    return f"claim-{patient_id}-{month.label}"


def remit(s: Scene, month: Month, codes: Codes, denial: str | None) -> None:
    """Writes the remittance of ``month``'s claim if it arrives before the end of the feed."""
    last_day = s.tl.moment(month, month.days, 12)
    at = s.tl.random_moment(s.rng, last_day + timedelta(days=GRACE_DAYS + 10), 10)
    fate = s.rng.random()
    if at >= s.tl.boundary:
        return
    head = s.w.head("clearinghouse", at)
    claim = claim_id(s.profile.patient_id, month)
    if denial is None and fate < 0.04:
        denial = DENIAL_CODES[int(fate * 50) % 2]
    if denial is not None:
        s.w.add(ClaimAdjudicated(**head, claim_id=claim, status="denied", reason_codes=[denial]))
        return
    amount, reasons = allowed(codes, month.year), list(PAID_CODES)
    if fate > 0.95:
        amount, reasons = (amount * SHORT_PAY).quantize(Decimal("0.01")), ["CO-45", *reasons]
    paid = expected_payment(amount)
    s.w.add(
        ClaimAdjudicated(
            **head, claim_id=claim, status="paid", paid_amount=paid, reason_codes=reasons
        )
    )
