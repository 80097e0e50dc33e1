"""The rest of the practice: typical patients drawn (seeded) around plausible proportions.

About 78% are screened CCM (2-5 chronic conditions), 12% PCM (one complex condition) and 10%
ineligible (acute codes only). Of the eligible, about 10% are never reached and 8% decline. The
enrolled document time every month from a mixture (a quarter under the threshold, most at the
base code, some at add-ons); the practitioner's own time stays under 30 minutes and there is no
complexity, so every typical month bills on the staff track and its intended codes follow from
the counted minutes alone. A few entries that never count (front-desk time, minutes counted
toward an E/M visit) are sprinkled in, and a few entries arrive late.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from events.upstream import OtherService
from upstream.synth.documentation import NON_CLINICAL, Slot, log_all, spread
from upstream.synth.enrollment import Visit, decline, enroll, failed_attempts, identify, outreach
from upstream.synth.roster import OUTREACH_STAFF, Program
from upstream.synth.scene import Codes, Scene
from upstream.synth.story import remit_older, with_g0506
from upstream.synth.timeline import Month

EM = OtherService.em


def codes_for(program: Program, pooled: int) -> Codes:
    """Staff-track codes for ``pooled`` counted minutes (practitioner time under 30)."""
    if program == "pcm":
        return (
            ()
            if pooled < 30
            else (("99426", 1), *((("99427", (pooled - 30) // 30),) if pooled >= 60 else ()))
        )
    if pooled < 20:
        return ()
    extra = min(2, (pooled - 20) // 20)
    return (("99490", 1), *((("99439", extra),) if extra else ()))


def _target(s: Scene) -> int:
    """A month's counted minutes: 25% short, 45% base, 18% one add-on, 12% more."""
    roll = s.rng.random()
    low, high = (
        (5, 19)
        if roll < 0.25
        else (20, 39)
        if roll < 0.7
        else (40, 59)
        if roll < 0.88
        else (60, 85)
    )
    if s.profile.program == "pcm":
        low, high = low + 10, high + 10
    return s.rng.randint(low, high)


def _noise(s: Scene, month: Month, first: int, last: int) -> None:
    """Entries that never count: front-desk scheduling, minutes already counted toward a visit."""
    if s.rng.random() < 0.08:
        log_all(
            s,
            month,
            (Slot(s.rng.randint(first, last), s.rng.randint(5, 10), NON_CLINICAL, hour=8),),
        )
    if s.rng.random() < 0.05:
        slot = Slot(s.rng.randint(first, last), s.rng.randint(10, 15), hour=8, counted_toward=EM)
        log_all(s, month, (slot,))


def document(s: Scene, month: Month, ready: datetime, g0506: bool) -> None:
    """One month of time after ``ready``; records the intended codes of a closed month (G0506
    in the month enrollment completed, when the initiating visit carried it)."""
    ready_month = s.tl.month_of(ready)
    if ready_month > month:
        return
    first = 1 if ready_month < month else ready.astimezone(s.tl.zone).day + 1
    last = s.tl.open_days(month)
    closed = s.tl.is_closed(month)
    total = _target(s) if first <= last else 0
    if month == s.tl.current:
        total = total * (last - first + 1) // month.days
    if total > 0:
        own = s.rng.randint(5, 12) if total > 15 and s.rng.random() < 0.2 else 0
        log_all(s, month, spread(s.rng, total - own, first, last, practitioner=own))
        _noise(s, month, first, last)
    if closed:
        codes = codes_for(s.profile.program, total)
        s.intended[month.label] = with_g0506(codes) if g0506 and ready_month == month else codes
        _late_entry(s, month, first, total)


def _late_entry(s: Scene, month: Month, first: int, total: int) -> None:
    """Now and then 5 minutes reach the engine after the month closed; only where counting them
    would not change the codes, so the intended bill holds however the engine receives them, and
    never in the last closed month (within its grace period it has not closed yet)."""
    program = s.profile.program
    if (
        month != s.tl.last_closed
        and total
        and codes_for(program, total + 5) == codes_for(program, total)
        and s.rng.random() < 0.03
    ):
        log_all(s, month, (Slot(s.rng.randint(first, month.days), 5, hour=16, late=True),))


def write_typical(s: Scene, identified: datetime) -> None:
    """Screening, then outreach to an outcome, then a month at a time."""
    identify(s.w, s.profile, identified, s.practice_id, None)
    if s.profile.program == "ineligible":
        return
    start = identified.replace(hour=10) + timedelta(days=1)
    fate = s.rng.random()
    if fate < 0.10:
        failed_attempts(s.w, s.rng, start, s.rng.randint(3, 4))
        return
    reached = failed_attempts(s.w, s.rng, start, s.rng.choice((0, 0, 1, 1, 2)))
    if fate < 0.18:
        outreach(s.w, reached, "phone", "reached", OUTREACH_STAFF[0])
        decline(
            s.w, reached + timedelta(minutes=10), s.rng.choice(("cost sharing", "not interested"))
        )
        return
    needs_visit = (
        s.profile.last_visit_on is None or (identified.date() - s.profile.last_visit_on).days > 365
    )
    initiating = (
        Visit(s.rng.choice(("99213", "99214", "G0438")), g0506=s.rng.random() < 0.35)
        if needs_visit
        else None
    )
    ready = enroll(s.w, s.profile, reached, initiating)
    for month in s.tl.months:
        document(s, month, ready, initiating is not None and initiating.g0506)
    remit_older(s)
