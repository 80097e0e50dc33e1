"""Designed cases for the thresholds and tracks of ccm-domain.md §5 and §9.

Each case's last closed month (clinical-staff minutes unless P, the billing practitioner):

| case | last closed month | intended codes |
|---|---|---|
| under-20 | 12 + 7 = 19 | nothing (19 < 20, never rounded) |
| exactly-20 | 12 + 8 = 20 | 99490 |
| 39-minutes | 15 + 12 + 12 = 39 | 99490 |
| 40-minutes | 20 + 20 (initiating visit 99214 + G0506) | 99490 + 99439 |
| 60-minutes | 20 + 20 + 20 (initiating AWV G0438 + G0506) | 99490 + 99439 x2 |
| 100-minutes | 25 + 25 + 30 + 20, not complex (visit 99213) | 99490 + 99439 x2 (cap 2) |
| practitioner-34 | P 18 + 16, no staff time | 99491 |
| practitioner-95 | P 40 + 30 + 25 | 99490 + 99439 x2 (pays more than 99491 + 99437) |
| practitioner-with-staff | P 35 + staff 25 (staff >= 20) | 99490 + 99439 x2 (pooled 60) |
| complex-90 | high MDM, 30 + 30 + 30 | 99487 + 99489 |
| complex-62 | moderate MDM, 62 | 99490 + 99439 x2 (pays more than 99487) |
| complex-120 | high MDM, 120 | 99487 + 99489 x2 (no cap) |
| complex-under-60 | moderate MDM, 45 | 99490 + 99439 (falls back) |
| pcm-staff-35 | PCM (E11.65 + E11.9: one condition), 20 + 15 | 99426 |
| pcm-staff-65 | PCM, 25 + 20 + 20 | 99426 + 99427 |
| pcm-practitioner-32 | PCM, P 32 | 99424 |
| pcm-practitioner-65 | PCM, P 35 + 30 | 99424 + 99425 |

Earlier closed months of each case are steady (99490, PCM 99426). exactly-20 and 39-minutes have
their first closed month's claim denied (CO-16, CO-97); 40-minutes and 100-minutes get a late
5-minute entry in their first closed month when that is not the last closed one (codes unchanged
either way). Tracks follow the default policy ``track_choice=highest_allowed`` (compared at the
CY2025 amounts, the latest year pricing every candidate): 99491 + 99437 never beats 99490 +
99439 x2 under the default cap of one 99437, and 99487 alone pays less than 99490 + 99439 x2.
"""

from __future__ import annotations

from collections.abc import Callable

from upstream.synth.documentation import PRACTITIONER as P
from upstream.synth.documentation import Mdm, Slot, assess
from upstream.synth.enrollment import Visit
from upstream.synth.scene import Scene
from upstream.synth.story import Case
from upstream.synth.timeline import Month


def _complexity(mdm: Mdm) -> Callable[[Scene, Month], None]:
    """The practitioner records the month's MDM on the 25th, after most of the work."""

    def extra(s: Scene, month: Month) -> None:
        assess(s, s.tl.moment(month, 25, 17), month, mdm)

    return extra


def _slots(*minutes: int, first_day: int = 9, by_practitioner: bool = False) -> tuple[Slot, ...]:
    """Entries of the given minutes, five days apart from ``first_day``."""
    if by_practitioner:
        return tuple(Slot(first_day + 5 * i, m, P, hour=17) for i, m in enumerate(minutes))
    return tuple(Slot(first_day + 5 * i, m, hour=9 + i) for i, m in enumerate(minutes))


BASE = (("99490", 1),)
CASES: tuple[Case, ...] = (
    Case("under-20", "ccm", slots=_slots(12, 7), bills=()),
    Case("exactly-20", "ccm", slots=_slots(12, 8), bills=BASE, denial="CO-16"),
    Case("39-minutes", "ccm", slots=_slots(15, 12, 12), bills=BASE, denial="CO-97"),
    Case(
        "40-minutes",
        "ccm",
        slots=_slots(20, 20),
        bills=(("99490", 1), ("99439", 1)),
        visit=Visit("99214", g0506=True),
        late=True,
    ),
    Case(
        "60-minutes",
        "ccm",
        slots=_slots(20, 20, 20),
        bills=(("99490", 1), ("99439", 2)),
        visit=Visit("G0438", g0506=True),
    ),
    Case(
        "100-minutes",
        "ccm",
        slots=_slots(25, 25, 30, 20),
        bills=(("99490", 1), ("99439", 2)),
        visit=Visit("99213"),
        late=True,
    ),
    Case(
        "practitioner-34", "ccm", slots=_slots(18, 16, by_practitioner=True), bills=(("99491", 1),)
    ),
    Case(
        "practitioner-95",
        "ccm",
        slots=_slots(40, 30, 25, by_practitioner=True),
        bills=(("99490", 1), ("99439", 2)),
    ),
    Case(
        "practitioner-with-staff",
        "ccm",
        slots=(*_slots(35, by_practitioner=True), *_slots(25, first_day=12)),
        bills=(("99490", 1), ("99439", 2)),
    ),
    Case(
        "complex-90",
        "ccm",
        slots=_slots(30, 30, 30),
        bills=(("99487", 1), ("99489", 1)),
        extra=_complexity("high"),
    ),
    Case(
        "complex-62",
        "ccm",
        slots=_slots(62),
        bills=(("99490", 1), ("99439", 2)),
        extra=_complexity("moderate"),
    ),
    Case(
        "complex-120",
        "ccm",
        slots=_slots(40, 30, 30, 20),
        bills=(("99487", 1), ("99489", 2)),
        extra=_complexity("high"),
    ),
    Case(
        "complex-under-60",
        "ccm",
        slots=_slots(25, 20),
        bills=(("99490", 1), ("99439", 1)),
        extra=_complexity("moderate"),
    ),
    Case(
        "pcm-staff-35",
        "pcm",
        diagnoses=("E11.65", "E11.9"),
        slots=_slots(20, 15),
        bills=(("99426", 1),),
    ),
    Case("pcm-staff-65", "pcm", slots=_slots(25, 20, 20), bills=(("99426", 1), ("99427", 1))),
    Case(
        "pcm-practitioner-32", "pcm", slots=_slots(32, by_practitioner=True), bills=(("99424", 1),)
    ),
    Case(
        "pcm-practitioner-65",
        "pcm",
        slots=_slots(35, 30, by_practitioner=True),
        bills=(("99424", 1), ("99425", 1)),
    ),
)
