"""Step 4 of the program: time entries (and their voids) and the month's complexity assessment.

A ``Slot`` describes one entry of a month: who, when, how long, and whether it is one of the
entries that must not count (non-clinical staff, minutes already counted toward an E/M visit, an
entry later voided, an entry delivered late). ``log`` turns a slot into ``time_logged`` events.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from events.upstream import ComplexityAssessed, OtherService, StaffRole, TimeEntryVoided, TimeLogged
from upstream.synth.roster import CLINICAL_STAFF, NON_CLINICAL_STAFF, Profile
from upstream.synth.scene import Scene
from upstream.synth.timeline import Month
from upstream.synth.writer import LATE

CLINICAL = StaffRole.clinical_staff
PRACTITIONER = StaffRole.practitioner
NON_CLINICAL = StaffRole.non_clinical
Mdm = Literal["straightforward", "low", "moderate", "high"]


@dataclass(frozen=True)
class Slot:
    """One time entry. ``interval`` logs it as start/end instead of minutes/at; ``staff`` pins a
    clinical staff member (index into CLINICAL_STAFF) so two entries can be two people."""

    day: int
    minutes: int
    role: StaffRole = CLINICAL
    hour: int = 10
    minute: int = 0
    interval: bool = False
    staff: int | None = None
    counted_toward: OtherService | None = None
    voided: bool = False
    late: bool = False


def _who(rng: random.Random, p: Profile, slot: Slot) -> tuple[str, str | None, str]:
    """(staff id, credential, activity) of an entry."""
    if slot.role is PRACTITIONER:
        return p.practitioner_id, p.practitioner_credential, "care_plan_review"
    if slot.role is NON_CLINICAL:
        return NON_CLINICAL_STAFF, None, "scheduling"
    pick = slot.staff if slot.staff is not None else rng.randrange(len(CLINICAL_STAFF))
    staff, credential = CLINICAL_STAFF[pick]
    if slot.counted_toward is not None:
        return staff, credential, "visit_prep"
    return staff, credential, rng.choice(("care_management", "medication_review", "coordination"))


def log(s: Scene, month: Month, slot: Slot) -> None:
    """Writes one entry (and its void the next day when ``slot.voided``)."""
    staff, credential, activity = _who(s.rng, s.profile, slot)
    start = s.tl.moment(month, slot.day, slot.hour, slot.minute)
    end = start + timedelta(minutes=slot.minutes)
    entry_id = s.w.next_entry_id()
    s.w.add(
        TimeLogged(
            **s.w.head("timetracker", end if slot.interval else start, LATE if slot.late else None),
            minutes=None if slot.interval else slot.minutes,
            at=None if slot.interval else start,
            start=start if slot.interval else None,
            end=end if slot.interval else None,
            entry_id=entry_id,
            staff_id=staff,
            role=slot.role,
            credential=credential,
            activity=activity,
            counted_toward=slot.counted_toward,
        )
    )
    if slot.voided:
        head = s.w.head("timetracker", end + timedelta(days=1))
        s.w.add(TimeEntryVoided(**head, entry_id=entry_id, reason="entered on the wrong patient"))


def log_all(s: Scene, month: Month, slots: tuple[Slot, ...]) -> None:
    for slot in slots:
        log(s, month, slot)


def assess(s: Scene, at: datetime, month: Month, mdm: Mdm) -> None:
    """The practitioner's medical decision making for ``month`` (complex CCM: moderate/high)."""
    s.w.add(ComplexityAssessed(**s.w.head("ehr", at), service_month=month.label, mdm=mdm))


def spread(
    rng: random.Random, total: int, first_day: int, last_day: int, practitioner: int = 0
) -> tuple[Slot, ...]:
    """``total`` minutes of clinical-staff time in 1-4 entries on days in [first_day, last_day]
    (same-day entries allowed), plus ``practitioner`` minutes of the billing practitioner's own
    time as one entry. Sorted by time of day so a patient's entries ascend."""
    parts = min(max(1, total // 12), 4)
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    slots = [
        Slot(
            rng.randint(first_day, last_day),
            size,
            hour=rng.randint(8, 15),
            minute=rng.randint(0, 59),
        )
        for size in sizes
    ]
    if practitioner:
        slots.append(Slot(rng.randint(first_day, last_day), practitioner, PRACTITIONER, hour=17))
    return tuple(sorted(slots, key=lambda slot: (slot.day, slot.hour, slot.minute)))
