"""Whatever the contract accepts, every table and projection can store: events at the bounds.

Events of every upstream type are generated (seeded) at the edges of what the contract accepts:
text at its maximum length in awkward Unicode (astral characters, separators, bidi marks, quotes,
backslashes), the largest amounts and counts, the oldest and newest dates the windows allow,
lists at their maximum length. Each is first checked to be contract-valid (strict JSON parse and
``events.plausible``), then appended and applied through every projection: none may stop, none
may set a patient aside, and the audit trail must hold every event.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from care.policy import Policy
from events.base import stream_for
from events.plausible import implausible
from events.store import EventStore
from events.upstream import UpstreamEvent
from projections import status
from projections.runner import catch_up
from projections.status import quarantined
from upstream.feed import ADAPTER

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)  # the store stamps recorded_at with the real clock
POLICY = Policy()
AWKWARD = ["é", "𝔘", "\u202e", "'", '"', "\\", "%s", "🩺", "e\u0301", "\ufeff"]
BREAKS = ["\n", "\t", "\r\n", "\u0085", "\u2028", "\u2029"]  # one-line text refuses them all


def text(rng: random.Random, length: int, multiline: bool = False) -> str:
    pool = AWKWARD + (BREAKS if multiline else [])
    out = "".join(rng.choice(pool) for _ in range(length))
    return out[:length] if len(out) > length else out + "x" * (length - len(out))


def iso(moment: datetime) -> str:
    return moment.isoformat()


def first_month_after(moment: datetime) -> str:
    """The earliest service month whose first day lies after ``moment``."""
    later = moment + timedelta(days=31)
    return f"{later.year:04d}-{later.month:02d}"


def patient_events(pid: str, rng: random.Random) -> list[dict[str, Any]]:
    """One patient's life with every upstream type, each field at an edge of its bounds."""
    lag = timedelta(days=POLICY.max_documentation_lag_days)
    oldest = NOW - timedelta(days=POLICY.max_event_age_days) + timedelta(hours=1)
    at = NOW - timedelta(hours=2)

    def head(kind: str, n: int, when: datetime = at) -> dict[str, Any]:
        source = "a" * 64 if n % 2 else "ehr"
        return {
            "type": kind,
            "event_id": f"{pid}-{n}-" + "z" * (100 - len(pid)),
            "patient_id": pid,
            "occurred_at": iso(when),
            "meta": {"source": source, "actor": "x" * 128, "correlation_id": "y" * 128},
        }

    names = text(rng, 200)
    return [
        head("patient_identified", 1, oldest)
        | {
            "practice_id": "p" * 128,
            "practitioner_id": "d" * 128,
            "diagnoses": ["E11.9", "I10"] + ["Z99.89"] * 48,
            "qmb": True,
            "primary_care_responsible": True,
            "last_visit_on": (oldest - timedelta(days=9000)).date().isoformat(),
            "demographics": {"name": names, "mbi": text(rng, 32), "birth_date": "1900-01-01"},
        },
        head("outreach_attempted", 2)
        | {"channel": "sms", "outcome": "wrong_number", "staff_id": "s" * 128},
        head("initiating_visit_completed", 3)
        | {"code": "G0438", "on": (at - lag).date().isoformat(), "g0506": True},
        head("consent_recorded", 4)
        | {
            "method": "written",
            "obtained_by": "o" * 128,
            "disclosures": {
                "availability": True,
                "cost_sharing": True,
                "stop_anytime": True,
                "one_practitioner": True,
            },
        },
        head("care_plan_established", 5)
        | {
            "care_plan_id": "c" * 128,
            "problems": [text(rng, 500, True) for _ in range(100)],
            "goals": [text(rng, 500, True) for _ in range(100)],
            "shared_with_patient_at": iso(NOW),
        },
        head("care_plan_revised", 6)
        | {
            "care_plan_id": "c" * 128,
            "problems": ["x"],
            "goals": ["y"],
            "shared_with_patient_at": iso(at - lag),
        },
        head("time_logged", 7)
        | {
            "entry_id": "e" * 128,
            "staff_id": "s" * 128,
            "role": "practitioner",
            "credential": text(rng, 16),
            "activity": text(rng, 64),
            "minutes": 1440,
            "at": iso(at - lag),
        },
        head("time_logged", 8)
        | {
            "entry_id": "f" * 128,
            "staff_id": "s",
            "role": "non_clinical",
            "start": iso(at - timedelta(days=1)),
            "end": iso(at),
            "counted_toward": "bhi",
        },
        head("time_entry_voided", 9) | {"entry_id": "e" * 128, "reason": text(rng, 200)},
        head("complexity_assessed", 10)
        | {"service_month": first_month_after(at - lag), "mdm": "high"},
        head("patient_admitted", 11) | {"facility": "snf"},
        head("patient_discharged", 12),
        head("service_billed_elsewhere", 13)
        | {"code": "90970", "on": (at - lag).date().isoformat(), "billed_by": "b" * 128},
        head("consent_declined", 14) | {"reason": text(rng, 200)},
        head("billing_practitioner_changed", 15)
        | {"practitioner_id": "n" * 128, "transfer_out": True},
        head("consent_revoked", 16),
        head("patient_died", 17) | {"died_on": (at - lag).date().isoformat()},
        head("claim_adjudicated", 18)
        | {
            "claim_id": "claim-" + pid + "-2026-01",
            "status": "paid",
            "paid_amount": "99999.99",
            "reason_codes": ["CO-253", "PR-2", "N130"] * 6 + ["OA-18", "MA01"],
        },
    ]


def contract_valid(raw: dict[str, Any]) -> UpstreamEvent:
    event = ADAPTER.validate_json(json.dumps(raw, ensure_ascii=False))
    assert implausible(event, NOW, POLICY) is None, raw["type"]
    return event


async def test_events_at_every_bound_pass_through_every_projection(
    pool: asyncpg.Pool, store: EventStore
) -> None:
    rng, total = random.Random(10), 0
    for i in range(12):
        pid = f"b-{i:02d}"
        events = [contract_valid(raw) for raw in patient_events(pid, rng)]
        await store.append(stream_for(pid), events, expected_version=0)
        total += len(events)
    await catch_up(pool)
    assert await quarantined(pool) == []
    assert all(s.error is None and s.lag_events == 0 for s in await status(pool))
    assert await pool.fetchval("SELECT count(*) FROM audit_events") == total
