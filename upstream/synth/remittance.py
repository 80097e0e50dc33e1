"""Step 5's answer from the outside: the clearinghouse's remittance for a claim the engine sent.

Claim ids are the engine's: ``claim-<patient_id>-<YYYY-MM>``. The synthetic payer pays a claim at
its allowed amount (the sum of units times the national non-facility amount, ccm-domain.md §7),
or denies it with CARC reason codes. Remittances arrive 2-3 weeks after the month's grace period,
so only older closed months have one by the end of the feed.

The payer always knows its own price: for a CY2026 code whose amount ccm-domain.md leaves
unpublished it pays the CY2025 RVU times the CY2026 conversion factor. The engine must not guess
such an amount; the synthetic clearinghouse may.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from events.upstream import ClaimAdjudicated
from upstream.synth.scene import Codes, Scene
from upstream.synth.timeline import Month

GRACE_DAYS = 3
DENIAL_CODES = ("CO-16", "CO-97")

_RVU_2025 = {
    "99490": "1.87",
    "99439": "1.42",
    "99491": "2.54",
    "99437": "1.78",
    "99487": "4.07",
    "99489": "2.18",
    "99424": "2.42",
    "99425": "1.84",
    "99426": "1.85",
    "99427": "1.41",
}
_PUBLISHED_2026 = {"99490": "66.13", "99425": "61.46"}
_CONVERSION = {2025: Decimal("32.3465"), 2026: Decimal("33.4009")}


def price(code: str, year: int) -> Decimal:
    """What the synthetic payer allows for one unit of ``code`` in ``year`` (2025 rates before
    2026, 2026 rates from then on)."""
    if year >= 2026 and code in _PUBLISHED_2026:
        return Decimal(_PUBLISHED_2026[code])
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
    if at >= s.tl.boundary:
        return
    head = s.w.head("clearinghouse", at)
    claim = claim_id(s.profile.patient_id, month)
    if denial is None:
        paid = allowed(codes, month.year)
        s.w.add(ClaimAdjudicated(**head, claim_id=claim, status="paid", paid_amount=paid))
    else:
        s.w.add(ClaimAdjudicated(**head, claim_id=claim, status="denied", reason_codes=[denial]))
