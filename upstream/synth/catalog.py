"""The designed cases in priority order: a feed of N patients holds the first N of them.

The first twenty cover every track, every exclusion the demo's report shows, and each way
enrollment fails, so ``ccm demo --patients 20`` still has them; the rest add variants.
Patients beyond the catalogue are typical ones (typical.py).
"""

from __future__ import annotations

from upstream.synth import cases_enrollment, cases_rules, cases_tracks
from upstream.synth.story import Case

PRIORITY = (
    "under-20",
    "exactly-20",
    "40-minutes",
    "100-minutes",
    "practitioner-34",
    "complex-90",
    "pcm-staff-35",
    "pcm-practitioner-32",
    "hospital-stay",
    "revoked",
    "died",
    "g0181",
    "overlap",
    "voided",
    "unreachable",
    "declined",
    "ineligible-acute",
    "consent-mid-month",
    "39-minutes",
    "practitioner-with-staff",
    "60-minutes",
    "practitioner-95",
    "complex-62",
    "complex-120",
    "complex-under-60",
    "pcm-staff-65",
    "pcm-practitioner-65",
    "em-time",
    "non-clinical",
    "visit-after-consent",
    "missing-disclosure",
    "no-care-plan",
    "ineligible-injury",
    "ineligible-crisis",
)


def designed() -> tuple[Case, ...]:
    """Every designed case, in PRIORITY order (each case exactly once)."""
    by_label = {
        c.label: c for c in (*cases_tracks.CASES, *cases_rules.CASES, *cases_enrollment.CASES)
    }
    if sorted(by_label) != sorted(PRIORITY):
        raise RuntimeError("catalog.PRIORITY and the case modules disagree")
    return tuple(by_label[label] for label in PRIORITY)
