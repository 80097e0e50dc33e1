"""Designed cases for screening and enrollment (ccm-domain.md §2-§3), each with its own story.

Each case: its story, then what the engine should conclude.

- unreachable: four unanswered attempts (phone, mail, portal, sms). Unreachable, never bills.
- declined: one unanswered call, then reached and declines. Declined, never bills.
- ineligible-acute: I21.4 + J06.9 only (acute MI, URI). Ineligible.
- ineligible-injury: S52.5 only (forearm fracture). Ineligible.
- ineligible-crisis: I16.0 only (hypertensive crisis is acute, never alone). Ineligible.
- consent-mid-month: identified in the last closed month; 15 min on the 8th, consent on the
  14th, 18 min on the 20th. Last closed month bills nothing (18 after consent).
- visit-after-consent: no prior visit; consent by phone on the 3rd of the last closed month,
  15 min on the 9th, initiating visit 99214 on the 16th, 12 min on the 21st. Nothing (12).
- missing-disclosure: consent lacks the one-practitioner disclosure; 25 min every month.
  Nothing in any closed month.
- no-care-plan: consent but never a care plan; 25 min every month. Nothing in any closed month.
"""

from __future__ import annotations

from datetime import timedelta

from upstream.synth.documentation import Slot, log_all
from upstream.synth.enrollment import (
    Visit,
    care_plan,
    consent,
    decline,
    failed_attempts,
    identify,
    outreach,
    visit,
)
from upstream.synth.roster import OUTREACH_STAFF
from upstream.synth.scene import Scene
from upstream.synth.story import Case, in_progress

STAFF = OUTREACH_STAFF[0]


def _identify(s: Scene, case: Case, day: int = 1, first: bool = True) -> None:
    month = s.tl.closed[0] if first else s.tl.last_closed
    identify(s.w, s.profile, s.tl.moment(month, day, 8, 30), s.practice_id, case.label)


def _unreachable(s: Scene, case: Case) -> None:
    _identify(s, case)
    start = s.tl.moment(s.tl.closed[0], 2, 10)
    for channel in ("phone", "mail", "portal", "sms"):
        outreach(s.w, start, channel, "no_answer", STAFF)
        start += timedelta(days=4)


def _declined(s: Scene, case: Case) -> None:
    _identify(s, case)
    reached = failed_attempts(s.w, s.rng, s.tl.moment(s.tl.closed[0], 2, 10), 1)
    outreach(s.w, reached, "phone", "reached", STAFF)
    decline(s.w, reached + timedelta(minutes=15), "does not want monthly calls")


def _screened_only(s: Scene, case: Case) -> None:
    _identify(s, case)


def _consent_mid_month(s: Scene, case: Case) -> None:
    month = s.tl.last_closed
    _identify(s, case, day=2, first=False)
    log_all(s, month, (Slot(8, 15),))  # chart preparation before the patient agreed
    outreach(s.w, s.tl.moment(month, 14, 10), "phone", "reached", STAFF)
    consent(s.w, s.tl.moment(month, 14, 10, 20), STAFF, written=False)
    care_plan(s.w, s.profile, s.tl.moment(month, 14, 11))
    log_all(s, month, (Slot(20, 18),))
    s.intended[month.label] = ()
    in_progress(s, 1)


def _visit_after_consent(s: Scene, case: Case) -> None:
    month = s.tl.last_closed
    _identify(s, case, first=False)
    outreach(s.w, s.tl.moment(month, 3, 10), "phone", "reached", STAFF)
    consent(s.w, s.tl.moment(month, 3, 10, 20), STAFF, written=False)
    care_plan(s.w, s.profile, s.tl.moment(month, 4, 11))
    log_all(s, month, (Slot(9, 15),))  # before the required visit: does not count
    visit(s.w, s.tl.moment(month, 16, 10), case.visit or Visit("99214"))
    log_all(s, month, (Slot(21, 12),))
    s.intended[month.label] = ()
    in_progress(s, 1)


def _flawed_enrollment(s: Scene, case: Case, *, complete: bool, plan: bool) -> None:
    """Reached and consented in the first week, documented every month, never billable."""
    _identify(s, case)
    first = s.tl.closed[0]
    outreach(s.w, s.tl.moment(first, 2, 10), "phone", "reached", STAFF)
    consent(s.w, s.tl.moment(first, 2, 10, 20), STAFF, written=False, complete=complete)
    if plan:
        care_plan(s.w, s.profile, s.tl.moment(first, 3, 11))
    for month in s.tl.closed:
        log_all(s, month, (Slot(10, 15), Slot(20, 10)))
        s.intended[month.label] = ()
    in_progress(s, 1)


def _missing_disclosure(s: Scene, case: Case) -> None:
    _flawed_enrollment(s, case, complete=False, plan=True)


def _no_care_plan(s: Scene, case: Case) -> None:
    _flawed_enrollment(s, case, complete=True, plan=False)


CASES: tuple[Case, ...] = (
    Case("unreachable", "ccm", story=_unreachable),
    Case("declined", "ccm", story=_declined),
    Case("ineligible-acute", "ineligible", diagnoses=("I21.4", "J06.9"), story=_screened_only),
    Case("ineligible-injury", "ineligible", diagnoses=("S52.5",), story=_screened_only),
    Case("ineligible-crisis", "ineligible", diagnoses=("I16.0",), story=_screened_only),
    Case("consent-mid-month", "ccm", story=_consent_mid_month),
    Case("visit-after-consent", "ccm", visit=Visit("99214"), story=_visit_after_consent),
    Case("missing-disclosure", "ccm", story=_missing_disclosure),
    Case("no-care-plan", "ccm", story=_no_care_plan),
)
