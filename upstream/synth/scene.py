"""What every story of one patient writes with: the writer, the feed's calendar, the patient's own
random stream, their profile, and the months they are intended to bill."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from upstream.synth.roster import Profile
from upstream.synth.timeline import Timeline
from upstream.synth.writer import PatientWriter

# (code, units) pairs in the order a claim lists them; empty when the month bills nothing.
Codes = tuple[tuple[str, int], ...]


@dataclass
class Scene:
    """One patient being written. ``intended`` maps each closed month's label to the codes the
    rules of ccm-domain.md §4-§6 should bill for it (empty tuple: nothing)."""

    w: PatientWriter
    tl: Timeline
    rng: random.Random
    profile: Profile
    practice_id: str
    intended: dict[str, Codes] = field(default_factory=dict)
