"""``generate_feed``: the whole synthetic practice as one ordered list of upstream events.

Patients ``p-0001`` onward are the designed cases in catalog order (as many as fit), the rest
are typical. Each patient draws from its own ``random.Random("synth:<seed>:<patient_id>")``, so a
seed fixes the feed, and adding patients never changes the earlier ones.

Order: every event sorted by ``occurred_at`` (ties: patient, then writing order), except the
late entries (``meta.correlation_id == "late"``): they come after everything else, in the same
order among themselves. A consumer that ingests the file top to bottom thus receives them after
their month has closed (and normally after it was billed), which is what "late" means to the
engine; their ``occurred_at`` and ``at`` stay in the old month.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from events.upstream import UpstreamEvent
from upstream.synth.catalog import designed
from upstream.synth.roster import PRACTITIONERS, Program, build_profile, fake_mbi, patient_id
from upstream.synth.scene import Codes, Scene
from upstream.synth.story import write_case
from upstream.synth.timeline import Timeline
from upstream.synth.typical import write_typical
from upstream.synth.writer import LATE, PatientWriter

MAX_PATIENTS = 99_999
# The designed cases play in the feed's last months, at most six: a designed patient was last
# seen 20-180 days before those months began, and some consent only in the last closed month,
# which must stay within the 12 months that spare them an initiating visit (MLN909188).
DESIGNED_MONTHS = 6

PROGRAM_MIX: tuple[tuple[Program, float], ...] = (
    ("ccm", 0.78),
    ("pcm", 0.12),
    ("ineligible", 0.10),
)


@dataclass(frozen=True)
class SynthFeed:
    """The feed and what it was designed to produce.

    ``intended`` maps (patient_id, "YYYY-MM") of every closed month in which a patient was
    enrolled or documented to the codes it should bill (empty: nothing); ``cases`` maps each
    designed case's label to its patient id.
    """

    events: list[UpstreamEvent]
    intended: dict[tuple[str, str], Codes]
    cases: dict[str, str]
    timeline: Timeline


def _program(rng: random.Random) -> Program:
    roll, bound = rng.random(), 0.0
    for program, share in PROGRAM_MIX:
        bound += share
        if roll < bound:
            return program
    return "ccm"


def _write_designed(seed: int, tl: Timeline, i: int, mbi: str, practice_id: str) -> Scene:
    """Patient ``i`` as the designed case of that rank (identified on the first day of ``tl``)."""
    case = designed()[i]
    pid = patient_id(i)
    rng = random.Random(f"synth:{seed}:{pid}")
    profile = build_profile(
        rng,
        pid,
        case.program,
        practitioner=PRACTITIONERS[i % len(PRACTITIONERS)],
        mbi=mbi,
        reference=tl.closed[0].on(1),
        recent_visit=case.visit is None,
        diagnoses=case.diagnoses,
    )
    scene = Scene(PatientWriter(seed, pid), tl, rng, profile, practice_id)
    write_case(scene, case)
    return scene


def _write_typical(seed: int, tl: Timeline, i: int, mbi: str, practice_id: str) -> Scene:
    """Patient ``i`` as a typical patient: most screened in the first ten days, the rest later."""
    pid = patient_id(i)
    rng = random.Random(f"synth:{seed}:{pid}")
    day_before = tl.moment(tl.closed[0], 1, 12) - timedelta(days=1)
    span = 10 if rng.random() < 0.65 else max(10, (tl.end - day_before.date()).days - 6)
    identified = tl.random_moment(rng, day_before, span)
    profile = build_profile(
        rng,
        pid,
        _program(rng),
        practitioner=rng.choice(PRACTITIONERS),
        mbi=mbi,
        reference=identified.date(),
        recent_visit=rng.random() < 0.75,
    )
    scene = Scene(PatientWriter(seed, pid), tl, rng, profile, practice_id)
    write_typical(scene, identified)
    return scene


def _ordered(scenes: list[Scene], tl: Timeline) -> list[UpstreamEvent]:
    """Events before ``end`` by time (ties: patient, writing order); late entries last."""
    keyed = [
        (event.occurred_at, rank, position, event)
        for rank, scene in enumerate(scenes)
        for position, event in enumerate(scene.w.events)
        if event.occurred_at < tl.boundary
    ]
    keyed.sort(key=lambda item: item[:3])
    on_time = [item[3] for item in keyed if item[3].meta.correlation_id != LATE]
    return on_time + [item[3] for item in keyed if item[3].meta.correlation_id == LATE]


def plan_feed(
    *,
    patients: int = 200,
    seed: int = 7,
    end: date,
    months: int = 4,
    practice_id: str = "practice-1",
    timezone: str = "America/New_York",
    grace_days: int = 3,
) -> SynthFeed:
    """The feed with its design (see ``SynthFeed``); ``grace_days`` is the engine's month-close
    grace period, which decides the months closed by ``end``. Raises ValueError on a patient
    count outside 1-99,999 (fake MBIs are distinct up to 100,000) or a month count outside 2-12."""
    if not 1 <= patients <= MAX_PATIENTS:
        raise ValueError(f"patients must be between 1 and {MAX_PATIENTS}, not {patients}")
    tl = Timeline.build(end=end, months=months, timezone=timezone, grace_days=grace_days)
    designed_tl = Timeline.build(
        end=end, months=min(months, DESIGNED_MONTHS), timezone=timezone, grace_days=grace_days
    )
    cases = len(designed())
    scenes = [
        _write_designed(seed, designed_tl, i, fake_mbi(seed, i), practice_id)
        if i < cases
        else _write_typical(seed, tl, i, fake_mbi(seed, i), practice_id)
        for i in range(patients)
    ]
    intended = {(s.profile.patient_id, m): codes for s in scenes for m, codes in s.intended.items()}
    labels = designed()[:patients]
    return SynthFeed(
        events=_ordered(scenes, tl),
        intended=intended,
        cases={case.label: scenes[i].profile.patient_id for i, case in enumerate(labels)},
        timeline=tl,
    )


def generate_feed(
    *,
    patients: int = 200,
    seed: int = 7,
    end: date,
    months: int = 4,
    practice_id: str = "practice-1",
    timezone: str = "America/New_York",
    grace_days: int = 3,
) -> list[UpstreamEvent]:
    """A seeded, deterministic feed ending before ``end`` (exclusive): ``months - 1`` months the
    engine will have closed by then, the month in progress, and between them a month still in
    its grace period in the first days of a month (``Timeline``). Same arguments, same events,
    byte for byte once serialised (``to_jsonl``)."""
    return plan_feed(
        patients=patients,
        seed=seed,
        end=end,
        months=months,
        practice_id=practice_id,
        timezone=timezone,
        grace_days=grace_days,
    ).events


def to_jsonl(events: Iterable[UpstreamEvent]) -> Iterator[str]:
    """One compact JSON object per line (``model_dump(mode="json")``), newline included."""
    for event in events:
        yield json.dumps(event.model_dump(mode="json"), separators=(",", ":")) + "\n"
