"""Hypothesis strategies for contract-valid upstream events (as JSON objects) and PHI-looking
values: the seeds every mutation starts from. Dates lie inside every window, relative to ``now``.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

Obj = dict[str, Any]
Draw = Callable[[st.SearchStrategy[Any]], Any]
DISCLOSED = {"availability": True, "cost_sharing": True, "stop_anytime": True,
             "one_practitioner": True}  # fmt: skip
DIAGNOSES = ["E11.9", "I10", "N18.3", "J44.9", "F32.A", "I50.22"]

# PHI-looking values: distinctive enough that finding one in a message can only be an echo.
phi_name = st.builds(
    lambda a, b: f"Zq{a} Synthov{b}",
    st.text(string.ascii_lowercase, min_size=4, max_size=8),
    st.text(string.ascii_lowercase, min_size=4, max_size=8),
)
phi_mbi = st.builds(
    lambda d, s: f"9S{d}{s}",
    st.text(string.digits, min_size=4, max_size=4),
    st.text("ACDEFGHJKMNPQRTUVWXY", min_size=5, max_size=5),
)
phi_birth = st.dates(min_value=date(1925, 1, 1), max_value=date(1960, 12, 31)).map(date.isoformat)
phi_value = st.one_of(phi_name, phi_mbi, phi_birth)
_IDENT = st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=12)
_WORDS = st.text(string.ascii_letters + " ,.", min_size=1, max_size=40)


@dataclass
class Seed:
    """A valid event and the PHI-looking values it carries (they must never be echoed)."""

    obj: Obj
    phi: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Ctx:
    at: datetime  # occurred_at
    back: timedelta  # how far before it a date of care lies
    patient_id: str

    @property
    def day(self) -> str:
        return (self.at - self.back).date().isoformat()


@st.composite
def valid_event(draw: Draw, patient_id: str, now: datetime, max_age_days: int = 30) -> Seed:
    """One valid event of any type for ``patient_id``, occurring up to ``max_age_days`` ago."""
    age = timedelta(minutes=draw(st.integers(0, max_age_days * 24 * 60)))
    zone = timezone(timedelta(hours=draw(st.sampled_from([0, -5, -4, 1, 14, -12]))))
    occurred = (now - age).replace(microsecond=0).astimezone(zone)
    type_ = draw(st.sampled_from(sorted(_PAYLOADS)))
    seed = Seed({"type": type_, "event_id": f"fz-{draw(st.uuids()).hex[:12]}",
                 "patient_id": patient_id, "occurred_at": occurred.isoformat(),
                 "meta": {"source": "ehr"}})  # fmt: skip
    ctx = _Ctx(occurred, timedelta(days=draw(st.integers(0, 300))), patient_id)
    seed.obj |= _PAYLOADS[type_](draw, ctx)
    demographics = seed.obj.get("demographics") or {}
    seed.phi += [str(v) for v in demographics.values()]
    return seed


def _identified(draw: Draw, c: _Ctx) -> Obj:
    demographics = {"name": draw(phi_name), "mbi": draw(phi_mbi), "birth_date": draw(phi_birth)}
    return {"practice_id": "practice-1", "practitioner_id": "prac-1",
            "diagnoses": draw(st.lists(st.sampled_from(DIAGNOSES), max_size=5)),
            "last_visit_on": c.day, "qmb": draw(st.booleans()),
            "demographics": demographics}  # fmt: skip


def _time(draw: Draw, c: _Ctx) -> Obj:
    when = c.at - timedelta(minutes=draw(st.integers(0, 60 * 24 * 200)))
    base: Obj = {"entry_id": f"t-{draw(_IDENT)}", "staff_id": "rn-1",
                 "role": draw(st.sampled_from(["clinical_staff", "practitioner"])),
                 "activity": "care_management", "credential": "RN"}  # fmt: skip
    if draw(st.booleans()):
        return base | {"minutes": draw(st.integers(1, 1440)), "at": when.isoformat()}
    span = timedelta(minutes=draw(st.integers(1, 24 * 60)))
    return base | {"start": (when - span).isoformat(), "end": when.isoformat()}


def _plan(draw: Draw, c: _Ctx) -> Obj:
    items = st.lists(_WORDS, min_size=1, max_size=3)
    return {"care_plan_id": f"cp-{c.patient_id}", "problems": draw(items), "goals": draw(items),
            "shared_with_patient_at": (c.at - c.back).isoformat()}  # fmt: skip


def _adjudicated(draw: Draw, c: _Ctx) -> Obj:
    month = (c.at - timedelta(days=40)).strftime("%Y-%m")
    codes = st.lists(st.sampled_from(["CO-45", "N130", "PR-2"]), max_size=2)
    return {"claim_id": f"claim-{c.patient_id}-{month}", "status": "paid",
            "paid_amount": draw(st.sampled_from([51.85, "42.10", 0, "99999.99"])),
            "reason_codes": draw(codes)}  # fmt: skip


def _pick(name: str, values: list[str]) -> Callable[[Draw, _Ctx], Obj]:
    return lambda draw, c: {name: draw(st.sampled_from(values))}


_PAYLOADS: dict[str, Callable[[Draw, _Ctx], Obj]] = {
    "patient_identified": _identified,
    "outreach_attempted": lambda d, c: {
        "channel": "phone",
        "outcome": "no_answer",
        "staff_id": "rn-1",
    },
    "initiating_visit_completed": lambda d, c: {
        "code": "99214",
        "on": c.day,
        "g0506": d(st.booleans()),
    },
    "consent_recorded": lambda d, c: {
        "method": "verbal",
        "obtained_by": "rn-1",
        "disclosures": dict(DISCLOSED),
    },
    "consent_declined": lambda d, c: {"reason": d(_WORDS)},
    "care_plan_established": _plan,
    "care_plan_revised": _plan,
    "time_logged": _time,
    "time_entry_voided": lambda d, c: {"entry_id": f"t-{d(_IDENT)}", "reason": d(_WORDS)},
    "complexity_assessed": lambda d, c: {
        "service_month": c.at.strftime("%Y-%m"),
        "mdm": d(st.sampled_from(["low", "high"])),
    },
    "patient_admitted": _pick("facility", ["hospital", "snf"]),
    "patient_discharged": lambda d, c: {},
    "patient_admission_cancelled": lambda d, c: {"admitted_at": (c.at - c.back).isoformat()},
    "patient_discharge_cancelled": lambda d, c: {"discharged_at": (c.at - c.back).isoformat()},
    "service_billed_elsewhere": lambda d, c: {"code": "G0181", "on": c.day, "billed_by": "hh-1"},
    "consent_revoked": lambda d, c: {},
    "patient_died": lambda d, c: {"died_on": c.at.date().isoformat()},
    "billing_practitioner_changed": lambda d, c: {
        "practitioner_id": "prac-2",
        "transfer_out": d(st.booleans()),
    },
    "claim_adjudicated": _adjudicated,
}
