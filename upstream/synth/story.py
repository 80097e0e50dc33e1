"""The standard life of a designed patient, around the one month that carries its edge case.

A designed ``Case`` is identified on the first day of the feed, enrolled within the first week,
bills a steady month in every closed month but the last (22-34 clinical-staff minutes: 99490, or
31-39 for PCM: 99426; plus G0506 in the first when its initiating visit carried it), shows its
edge case in the last closed month (the month ``ccm demo`` reports), has a steady month in a month
still awaiting its close, and a few minutes in the month in progress. Case slots use days 9-28 so
that the story also fits a two-month feed, where the first closed month is the last one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from upstream.synth.documentation import Slot, log_all, spread
from upstream.synth.enrollment import Visit, enroll, identify
from upstream.synth.remittance import remit
from upstream.synth.roster import Program
from upstream.synth.scene import Codes, Scene
from upstream.synth.timeline import Month

FIRST_DOCUMENTED_DAY = 8
STEADY_CCM: Codes = (("99490", 1),)
STEADY_PCM: Codes = (("99426", 1),)


@dataclass(frozen=True)
class Case:
    """One designed patient: its edge case lives in the last closed month.

    ``slots``/``extra`` write that month and ``bills`` is what it should bill; ``visit`` makes the
    patient need an initiating visit; ``late`` adds a 5-minute entry to the first closed month
    (unless that is the last one), delivered last, never changing that month's codes; ``denial``
    denies the first closed month's claim. ``diagnoses`` fixes the codes (else drawn for
    ``program``). ``story`` replaces the standard life entirely (enrollment cases).
    """

    label: str
    program: Program
    diagnoses: tuple[str, ...] = ()
    slots: tuple[Slot, ...] = ()
    bills: Codes = ()
    extra: Callable[[Scene, Month], None] | None = None
    visit: Visit | None = None
    late: bool = False
    denial: str | None = None
    current: bool = True
    story: Callable[[Scene, Case], None] | None = None


def steady(s: Scene, month: Month, first_day: int) -> None:
    """A month that plainly meets the base threshold, nothing more."""
    pcm = s.profile.program == "pcm"
    total = s.rng.randint(31, 39) if pcm else s.rng.randint(22, 34)
    log_all(s, month, spread(s.rng, total, first_day, 28))
    if s.tl.is_closed(month):
        s.intended[month.label] = STEADY_PCM if pcm else STEADY_CCM


def in_progress(s: Scene, first_day: int) -> None:
    """The months not closed by the feed's end: a steady month for one awaiting its close, and
    a few minutes so far in the current month (none when it has no day before ``end`` yet)."""
    for month in s.tl.awaiting:
        steady(s, month, first_day)
    month = s.tl.current
    last = s.tl.open_days(month)
    if last >= first_day:
        log_all(s, month, spread(s.rng, s.rng.randint(5, 15), first_day, last))


def with_g0506(codes: Codes) -> Codes:
    """The month's codes plus G0506, billed once on the initiating visit (MLN909188)."""
    return (*codes, ("G0506", 1))


def remit_older(s: Scene, first_denial: str | None = None) -> None:
    """Remittances for every billed closed month whose remittance arrives before the feed's end;
    ``first_denial`` denies the first of them (remittance.remit draws the others' fate)."""
    for index, month in enumerate(s.tl.closed):
        codes = s.intended.get(month.label, ())
        if codes:
            remit(s, month, codes, first_denial if index == 0 else None)


def standard(s: Scene, case: Case) -> None:
    """Identified day 1, reached day 2, enrolled by day 7, then a month at a time."""
    tl = s.tl
    first = tl.closed[0]
    identify(
        s.w, s.profile, tl.moment(first, 1, 8, s.rng.randint(0, 59)), s.practice_id, case.label
    )
    enroll(s.w, s.profile, tl.moment(first, 2, 10, s.rng.randint(0, 30)), case.visit)
    for month in tl.closed[:-1]:
        steady(s, month, FIRST_DOCUMENTED_DAY if month == first else 1)
        if case.late and month == first:
            log_all(s, month, (Slot(27, 5, hour=16, late=True),))
    last = tl.last_closed
    log_all(s, last, case.slots)
    if case.extra is not None:
        case.extra(s, last)
    s.intended[last.label] = case.bills
    if case.visit is not None and case.visit.g0506:
        s.intended[first.label] = with_g0506(s.intended[first.label])
    if case.current:
        in_progress(s, 1)
    remit_older(s, case.denial)


def write_case(s: Scene, case: Case) -> None:
    (case.story or standard)(s, case)
