"""Windows an upstream fact's dates must lie in, relative to the business clock and the event.

The contract's types bound every date to 1900-2100; these windows catch what those cannot: a
time entry in 2099, a death in 1900, a visit dated after it was reported. Each rule is stated
once, here, and used at every edge (the feed parser, ``ccm send``, the workflow's update
validator); the README's contract table lists them. Values are never echoed: a date of care is
PHI, so a refusal names the field and the window only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from care.months import years_before
from care.policy import Policy
from events.base import PatientEvent
from events.upstream import (
    CarePlanEstablished,
    CarePlanRevised,
    ComplexityAssessed,
    InitiatingVisitCompleted,
    PatientAdmissionCancelled,
    PatientDied,
    PatientDischargeCancelled,
    PatientIdentified,
    ServiceBilledElsewhere,
    TimeLogged,
)

# A last visit with the billing practitioner further back than this is not a "last visit".
LAST_VISIT_YEARS = 25
# A date without a time may be the reporter's local "today" while occurred_at is already tomorrow
# in UTC: one day of slack.
DAY_SLACK = timedelta(days=1)


class Implausible(NamedTuple):
    """The field, and what window it missed (no value)."""

    field: str
    reason: str


class _Frame(NamedTuple):
    """The edges every window is built from, for one event at one business clock."""

    at: datetime  # occurred_at
    day: date  # occurred_at's date, with a day of slack after it
    now: datetime
    ahead: timedelta
    lag: timedelta
    lagged: str


_Window = tuple[str, datetime | date | None, datetime | date, datetime | date, str]


def implausible(event: PatientEvent, now: datetime, policy: Policy) -> Implausible | None:
    """The first window ``event`` falls outside of, or None; ``now`` is the business clock."""
    ahead = timedelta(minutes=policy.future_tolerance_minutes)
    if event.occurred_at > now + ahead:
        return Implausible("occurred_at", "is in the future")
    age = policy.max_event_age_days
    if event.occurred_at < now - timedelta(days=age):
        return Implausible("occurred_at", f"is more than {age} days old (max_event_age_days)")
    lag = policy.max_documentation_lag_days
    frame = _Frame(
        event.occurred_at, event.occurred_at.date(), now, ahead, timedelta(days=lag),
        f"within {lag} days before occurred_at (max_documentation_lag_days)",
    )  # fmt: skip
    rule = _RULES.get(type(event))
    for field, value, low, high, window in rule(event, frame) if rule else []:
        if value is not None and not low <= value <= high:
            return Implausible(field, f"must lie {window}")
    return None


def _time(e: TimeLogged, f: _Frame) -> list[_Window]:
    high, why = f.at + f.ahead, f"{f.lagged}, not after it"
    return [(name, getattr(e, name), f.at - f.lag, high, why) for name in ("at", "start", "end")]


def _moment(field: str) -> Callable[[PatientEvent, _Frame], list[_Window]]:
    def rule(e: PatientEvent, f: _Frame) -> list[_Window]:
        value = getattr(e, field)
        return [(field, value, f.at - f.lag, f.at + f.ahead, f"{f.lagged}, not after it")]

    return rule


def _dated(field: str) -> Callable[[PatientEvent, _Frame], list[_Window]]:
    def rule(e: PatientEvent, f: _Frame) -> list[_Window]:
        value = getattr(e, field)
        return [(field, value, f.day - f.lag, f.day + DAY_SLACK, f"{f.lagged}, not after it")]

    return rule


def _identified(e: PatientIdentified, f: _Frame) -> list[_Window]:
    earliest = years_before(f.day, LAST_VISIT_YEARS)  # 29 February falls back to the 28th
    birth = e.demographics.birth_date if e.demographics else None
    return [
        ("last_visit_on", e.last_visit_on, earliest, f.day + DAY_SLACK,
         f"within {LAST_VISIT_YEARS} years before occurred_at, not after it"),
        ("demographics.birth_date", birth, date(1900, 1, 1), f.day, "from 1900 to occurred_at"),
    ]  # fmt: skip


def _care_plan(e: CarePlanEstablished | CarePlanRevised, f: _Frame) -> list[_Window]:
    shared = e.shared_with_patient_at
    window = f"{f.lagged}, not in the future"
    return [("shared_with_patient_at", shared, f.at - f.lag, f.now + f.ahead, window)]


def _complexity(e: ComplexityAssessed, f: _Frame) -> list[_Window]:
    month = date(int(e.service_month[:4]), int(e.service_month[5:]), 1)
    return [("service_month", month, f.day - f.lag, f.day + DAY_SLACK, f"{f.lagged}")]


_RULES: dict[type[PatientEvent], Callable[[Any, _Frame], list[_Window]]] = {
    TimeLogged: _time,
    InitiatingVisitCompleted: _dated("on"),
    PatientDied: _dated("died_on"),
    ServiceBilledElsewhere: _dated("on"),
    PatientIdentified: _identified,
    CarePlanEstablished: _care_plan,
    CarePlanRevised: _care_plan,
    ComplexityAssessed: _complexity,
    PatientAdmissionCancelled: _moment("admitted_at"),
    PatientDischargeCancelled: _moment("discharged_at"),
}
