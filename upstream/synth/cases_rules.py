"""Designed cases for which minutes count (ccm-domain.md §4) and which months bill nothing (§6).

Each case's last closed month; "naive" is what a sum of every logged minute would wrongly bill:

| case | last closed month | intended codes | naive |
|---|---|---|---|
| overlap | RN 14:00-14:35 and LPN 14:10-14:30 on one call | 99490 (35 min once) | + 99439 |
| em-time | 18 + 12 counted toward an E/M visit | nothing (18) | 99490 |
| non-clinical | 25 + 20 by front-desk staff | 99490 (25) | + 99439 |
| voided | 25 + 20, the 20 voided next day | 99490 (25) | + 99439 |
| hospital-stay | 15, 20 while inpatient (12th-17th), 10 | 99490 (25) | + 99439 |
| revoked | 15 + 10, revoked on the 13th, 15 after | 99490 (25 before revoking) | + 99439 |
| died | 12 + 10, died on the 15th, 20 after | 99490, date of service the 15th | + 99439 |
| g0181 | 25 + 20, home health G0181 billed on the 15th | nothing | + 99439 |

``revoked`` and ``died`` have no events in the month in progress.
"""

from __future__ import annotations

from datetime import timedelta

from events.upstream import (
    ConsentRevoked,
    OtherService,
    PatientAdmitted,
    PatientDied,
    PatientDischarged,
    ServiceBilledElsewhere,
)
from upstream.synth.documentation import NON_CLINICAL, Slot
from upstream.synth.scene import Scene
from upstream.synth.story import Case
from upstream.synth.timeline import Month


def _hospital_stay(s: Scene, month: Month) -> None:
    """Inpatient from the 12th 08:00 to the 17th 14:00: the 14th's entry falls inside."""
    s.w.add(PatientAdmitted(**s.w.head("ehr", s.tl.moment(month, 12, 8)), facility="hospital"))
    s.w.add(PatientDischarged(**s.w.head("ehr", s.tl.moment(month, 17, 14))))


def _revocation(s: Scene, month: Month) -> None:
    s.w.add(ConsentRevoked(**s.w.head("ehr", s.tl.moment(month, 13, 14))))


def _death(s: Scene, month: Month) -> None:
    """Died on the 15th, reported the next morning."""
    reported = s.tl.moment(month, 15, 9) + timedelta(days=1)
    s.w.add(PatientDied(**s.w.head("ehr", reported), died_on=month.on(15)))


def _home_health(s: Scene, month: Month) -> None:
    """G0181 (home health care plan oversight) on the 15th, learned of on the 20th."""
    head = s.w.head("clearinghouse", s.tl.moment(month, 20, 12))
    s.w.add(ServiceBilledElsewhere(**head, code="G0181", on=month.on(15), billed_by="hha-synth-1"))


BASE = (("99490", 1),)
CASES: tuple[Case, ...] = (
    Case(
        "overlap",
        "ccm",
        slots=(
            Slot(12, 35, hour=14, interval=True, staff=0),
            Slot(12, 20, hour=14, minute=10, interval=True, staff=2),
        ),
        bills=BASE,
    ),
    Case(
        "em-time",
        "ccm",
        slots=(Slot(11, 18), Slot(19, 12, counted_toward=OtherService.em)),
        bills=(),
    ),
    Case("non-clinical", "ccm", slots=(Slot(10, 25), Slot(14, 20, NON_CLINICAL)), bills=BASE),
    Case("voided", "ccm", slots=(Slot(10, 25), Slot(15, 20, voided=True)), bills=BASE),
    Case(
        "hospital-stay",
        "ccm",
        slots=(Slot(9, 15), Slot(14, 20), Slot(22, 10)),
        bills=BASE,
        extra=_hospital_stay,
    ),
    Case(
        "revoked",
        "ccm",
        slots=(Slot(9, 15), Slot(11, 10), Slot(20, 15)),
        bills=BASE,
        extra=_revocation,
        current=False,
    ),
    Case(
        "died",
        "ccm",
        slots=(Slot(9, 12), Slot(11, 10), Slot(18, 20)),
        bills=BASE,
        extra=_death,
        current=False,
    ),
    Case("g0181", "ccm", slots=(Slot(10, 25), Slot(18, 20)), bills=(), extra=_home_health),
)
