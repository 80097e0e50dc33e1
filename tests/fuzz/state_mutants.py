"""Mutations that need a history: identity (a foreign id, one id with other content, a re-send)
and the patient's own facts (claims, entries, disclosures, another patient's id)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from care.policy import Policy
from events.upstream import UpstreamEvent
from upstream.feed import read_feed

from .mutate import mutant
from .valid import DISCLOSED, Draw, valid_event

PID, OTHER = "p-fuzz", "p-other"


def parsed(obj: dict[str, Any] | bytes, now: datetime) -> list[UpstreamEvent]:
    """What the parser accepts of one line (the workflow only ever sees those)."""
    line = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return [e for _, e in read_feed(line, now, Policy()).events]


def base(kind: str, n: int, when: datetime, **payload: Any) -> dict[str, Any]:
    return {"type": kind, "event_id": f"st-{n}", "patient_id": PID,
            "occurred_at": when.isoformat(), "meta": {"source": "ehr"}, **payload}  # fmt: skip


def timed(entry_id: str, at: datetime, minutes: int, now: datetime) -> UpstreamEvent:
    """A valid time entry under ``entry_id`` (its event id derived from it and ``at``)."""
    obj = base("time_logged", 0, at, entry_id=entry_id, staff_id="rn-1", role="clinical_staff",
               minutes=minutes, at=at.isoformat())  # fmt: skip
    obj["event_id"] = f"{entry_id}-{at:%d%H%M}"
    [event] = parsed(obj, now)
    return event


@st.composite
def state_event(draw: Draw, history: list[UpstreamEvent], now: datetime) -> list[UpstreamEvent]:
    """One or two events aimed at a rule that needs the history (a duplicate pair for one id)."""
    at = now - timedelta(hours=draw(st.integers(1, 200)))
    n = draw(st.integers(1, 10**9))
    old = draw(st.sampled_from(history))
    entry = draw(st.sampled_from(["t-h1", "t-h2", "t-none", f"t-{n}"]))
    month = draw(
        st.sampled_from(["2026-02", "2026-01", "2026-03", "2025-13", "abcdefg", "2026/02"])
    )
    who = draw(st.sampled_from([PID, PID, OTHER]))
    choices = [
        [old],  # a re-send: a duplicate
        [old.model_copy(update={"occurred_at": old.occurred_at - timedelta(minutes=1)})],
        *parsed(base("claim_adjudicated", n, at, claim_id=f"claim-{who}-{month}",
                     status=draw(st.sampled_from(["paid", "denied"])), paid_amount="12.00"), now),
        *parsed(base("time_entry_voided", n, at, entry_id=entry, reason="error"), now),
        *parsed(base("time_logged", n, at, entry_id=entry, staff_id="rn-1", role="clinical_staff",
                     minutes=draw(st.integers(1, 60)), at=at.isoformat()), now),
        *parsed(base("consent_recorded", n, at, method="verbal", obtained_by="rn-1",
                     disclosures=DISCLOSED | {"cost_sharing": draw(st.booleans())}), now),
        *parsed(base("consent_revoked", n, at) | {"event_id": "fz-foreign"}, now),
        *parsed(base("patient_admitted", n, at, facility="snf") | {"patient_id": OTHER}, now),
    ]  # fmt: skip
    picked: list[UpstreamEvent] = draw(
        st.sampled_from([c if isinstance(c, list) else [c] for c in choices])
    )
    if draw(st.booleans()):  # the same id twice in one batch, maybe with other content
        twin = picked[0].model_copy(
            update={
                "occurred_at": picked[0].occurred_at
                + timedelta(seconds=draw(st.sampled_from([0, 1])))
            }
        )
        picked = [picked[0], twin]
    return picked


@st.composite
def batch(
    draw: Draw, history: list[UpstreamEvent], now: datetime
) -> tuple[list[UpstreamEvent], list[str]]:
    """A delivery of 1-4 events: contract-valid mutants and history-aimed events; its PHI."""
    events: list[UpstreamEvent] = []
    phi: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            events += draw(state_event(history, now))
            continue
        seed = draw(valid_event(PID, now, max_age_days=60))
        bad = draw(mutant(seed, now))
        phi += bad.phi
        events += parsed(bad.line, now) or parsed(seed.obj, now)
    return events, phi
