"""An independent statement of the upstream contract (README, "The upstream contract"), used to
judge what the parser accepted: written from the rules' table, not from the validators.

``judge(line)`` says whether a JSONL line must be accepted and, if not, every field whose rule it
breaks (the parser must name one of them). Cross-field and clock rules are ``oracle_windows``'s.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from care.policy import Policy

from .oracle_checks import (
    BREAKS,
    Check,
    _day,
    _int,
    _is,
    _list,
    _money,
    _month,
    _object,
    _one_of,
    _stamp,
    _text,
)
from .oracle_windows import window_problem

LINE_LIMIT = 256 * 1024
ANY = "*"  # a refusal may name any field
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}")
_SOURCE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


@dataclass
class Verdict:
    """``ok``, or the fields breaking a rule (dotted paths; "(line)", "(event)": the whole)."""

    ok: bool
    fields: set[str] = field(default_factory=set)


def _matches(pattern: str) -> Check:
    return _is(lambda v: isinstance(v, str) and re.fullmatch(pattern, v) is not None)


ID = _matches(_ID.pattern)
BOOL, DAY, MOMENT = _is(lambda v: type(v) is bool), _is(_day), _is(_stamp)
ICD = _matches(r"[A-TV-Z]\d[\dA-Z](\.[\dA-Z]{1,4})?")
PROC = _matches(r"\d{5}|[A-Z]\d{4}")
ADJ = _matches(r"[A-Z]{2}-[A-Z\d]{1,3}|[A-Z]{1,2}\d{1,3}")
SOURCE = _is(lambda v: isinstance(v, str) and _SOURCE.fullmatch(v) is not None and v != "engine")
META = _object({"source": ("O", SOURCE), "actor": ("N", ID), "correlation_id": ("N", ID),
                "causation_id": ("N", ID)})  # fmt: skip
COMMON = {"type": ("R", _is(lambda v: True)), "event_id": ("R", ID), "patient_id": ("R", ID),
          "occurred_at": ("R", MOMENT), "meta": ("O", META),
          "schema_version": ("O", _is(lambda v: _int(v) and v == 1))}  # fmt: skip
PLAN = {"care_plan_id": ("R", ID), "problems": ("R", _list(_text(500, BREAKS), 1, 100)),
        "goals": ("R", _list(_text(500, BREAKS), 1, 100)),
        "shared_with_patient_at": ("N", MOMENT)}  # fmt: skip
DISCLOSURES = ("availability", "cost_sharing", "stop_anytime", "one_practitioner")
SPECS: dict[str, dict[str, tuple[str, Check]]] = {
    "patient_identified": {
        "practice_id": ("R", ID), "practitioner_id": ("R", ID),
        "diagnoses": ("R", _list(ICD, 0, 50)),
        "last_visit_on": ("N", DAY), "qmb": ("O", BOOL), "primary_care_responsible": ("O", BOOL),
        "demographics": ("N", _object({"name": ("N", _text(200)), "birth_date": ("N", DAY),
                                       "mbi": ("N", _text(32))}))},
    "outreach_attempted": {
        "channel": ("R", _one_of("phone", "mail", "portal", "sms", "in_person")),
        "outcome": ("R", _one_of("reached", "no_answer", "left_message", "wrong_number")),
        "staff_id": ("R", ID)},
    "initiating_visit_completed": {"code": ("R", PROC), "on": ("R", DAY), "g0506": ("O", BOOL)},
    "consent_recorded": {
        "method": ("R", _one_of("verbal", "written")), "obtained_by": ("R", ID),
        "disclosures": ("R", _object(dict.fromkeys(DISCLOSURES, ("R", BOOL))))},
    "consent_declined": {"reason": ("N", _text(200))},
    "care_plan_established": PLAN, "care_plan_revised": PLAN,
    "time_logged": {
        "entry_id": ("R", ID), "staff_id": ("R", ID),
        "role": ("R", _one_of("clinical_staff", "practitioner", "non_clinical")),
        "credential": ("N", _text(16)), "activity": ("O", _text(64)),
        "minutes": ("N", _is(lambda v: _int(v) and 1 <= v <= 1440)),
        "at": ("N", MOMENT), "start": ("N", MOMENT), "end": ("N", MOMENT),
        "counted_toward": ("N", _one_of("em", "tcm", "rpm", "bhi"))},
    "time_entry_voided": {"entry_id": ("R", ID), "reason": ("R", _text(200))},
    "complexity_assessed": {"service_month": ("R", _is(_month)),
                            "mdm": ("R", _one_of("straightforward", "low", "moderate", "high"))},
    "patient_admitted": {"facility": ("R", _one_of("hospital", "snf"))},
    "patient_discharged": {},
    "patient_admission_cancelled": {"admitted_at": ("R", MOMENT)},
    "patient_discharge_cancelled": {"discharged_at": ("R", MOMENT)}, "consent_revoked": {},
    "service_billed_elsewhere": {"code": ("R", PROC), "on": ("R", DAY), "billed_by": ("R", ID)},
    "patient_died": {"died_on": ("R", DAY)},
    "billing_practitioner_changed": {"practitioner_id": ("R", ID), "transfer_out": ("O", BOOL)},
    "claim_adjudicated": {
        "claim_id": ("R", ID), "status": ("R", _one_of("paid", "denied")),
        "paid_amount": ("O", _is(_money)),
        "reason_codes": ("O", _list(ADJ, 0, 20))},
}  # fmt: skip


def judge(line: bytes, number: int, now: datetime, policy: Policy) -> Verdict:
    """What the contract says of line ``number`` of a feed, judged at business clock ``now``."""
    line = line.removesuffix(b"\r")
    if number == 1 and line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    if len(line) > LINE_LIMIT:
        return Verdict(False, {"(line)"})
    try:
        obj = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return Verdict(False, {"(line)", "(event)"})
    if _depth(obj) > 64:
        return Verdict(False, {"(event)", ANY})  # the decoder's depth limit, or the field's rule
    tag = obj.get("type") if isinstance(obj, dict) else None
    spec = SPECS.get(tag) if isinstance(tag, str) else None
    if spec is None:
        return Verdict(False, {"(event)"})
    found = _object(COMMON | spec)(obj, "")
    if _surrogate(obj):  # not a character: the JSON decoder refuses the line, wherever it is
        return Verdict(False, {"(event)", *found})
    if found:
        return Verdict(False, set(found))
    problem = window_problem(obj, now, policy)
    return Verdict(problem is None, {problem} if problem else set())


def _surrogate(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_surrogate(k) or _surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_surrogate(v) for v in value)
    return isinstance(value, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in value)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0
