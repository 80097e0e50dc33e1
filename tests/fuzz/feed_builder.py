"""A practice-sized feed for the ingest target: a valid baseline per patient, then mutants,
identity attacks on the baseline, and one valid event per patient last (it must be recorded)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from .mutate import Mutant, mutant
from .settings import COLLECT
from .valid import DISCLOSED

Obj = dict[str, Any]


def line(obj: Obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


def event(pid: str, kind: str, eid: str, when: datetime, **payload: Any) -> Obj:
    return {"type": kind, "event_id": eid, "patient_id": pid, "occurred_at": when.isoformat(),
            "meta": {"source": "ehr"}, **payload}  # fmt: skip


def time_entry(pid: str, eid: str, at: datetime, minutes: int) -> Obj:
    return event(pid, "time_logged", eid, at, entry_id=f"t-{eid}", staff_id="rn-1",
                 role="clinical_staff", minutes=minutes, at=at.isoformat())  # fmt: skip


def baseline(pid: str, now: datetime, phi: list[str]) -> list[Obj]:
    """Identified (with demographics), consented, a care plan and 25 minutes, days ago."""
    at = now - timedelta(days=3)
    name, mbi = f"Zqbase{pid[-4:]} Synthovbase", f"9S0000{pid[-5:].upper()}"
    phi += [name, mbi]
    return [
        event(pid, "patient_identified", f"{pid}-id", at, practice_id="practice-1",
              practitioner_id="prac-1", diagnoses=["E11.9", "I10"],
              demographics={"name": name, "mbi": mbi, "birth_date": "1944-05-06"}),
        event(pid, "consent_recorded", f"{pid}-consent", at + timedelta(hours=1), method="verbal",
              obtained_by="rn-1", disclosures=DISCLOSED),
        event(pid, "care_plan_established", f"{pid}-plan", at + timedelta(hours=2),
              care_plan_id=f"cp-{pid}", problems=["Diabetes"], goals=["A1c < 8"]),
        time_entry(pid, f"{pid}-t1", at + timedelta(hours=3), 25),
    ]  # fmt: skip


@dataclass
class Identity:
    """Lines that attack the baseline's identities, and the field each must be refused on."""

    lines: list[bytes] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)  # indices into ``lines``


def identity_attacks(a: list[Obj], b: list[Obj], now: datetime) -> Identity:
    """A foreign id (B's entry under A's id), A's entry changed under its id, a line repeated
    with other content, and an exact re-send."""
    out = Identity()
    foreign = copy.deepcopy(b[3]) | {"event_id": a[3]["event_id"]}
    changed = copy.deepcopy(a[3]) | {"minutes": 26}
    twin = time_entry(a[0]["patient_id"], "twin-1", now - timedelta(hours=5), 9)
    out.lines = [line(twin), line(foreign), line(changed), line(twin | {"minutes": 10}), line(a[1])]
    out.refused = [1, 2, 3]
    return out


def collect_mutants(pids: list[str], now: datetime) -> list[Mutant]:
    """``COLLECT.max_examples`` mutants of valid events for the practice's patients."""
    from .valid import valid_event

    found: list[Mutant] = []
    seeds = st.sampled_from(pids).flatmap(lambda p: valid_event(p, now, max_age_days=20))

    @COLLECT
    @given(seeds.flatmap(lambda s: mutant(s, now)))
    def draw(m: Mutant) -> None:
        found.append(m)

    draw()
    return found
