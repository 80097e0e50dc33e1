"""The contract's rules between fields and against the business clock (README contract table:
"numbers" for intervals, "clock" and "dates of care"), for the fuzz oracle."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from care.policy import Policy

ONE_DAY = timedelta(days=1)


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text is not None else None


def _years_back(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def window_problem(obj: dict[str, Any], now: datetime, policy: Policy) -> str | None:
    """The field breaking a cross-field or clock rule ("(event)" for a time entry's shape)."""
    occurred = datetime.fromisoformat(obj["occurred_at"])
    if obj["type"] == "time_logged" and not _shape_ok(obj):
        return "(event)"
    ahead = timedelta(minutes=policy.future_tolerance_minutes)
    if not now - timedelta(days=policy.max_event_age_days) <= occurred <= now + ahead:
        return "occurred_at"
    lag = timedelta(days=policy.max_documentation_lag_days)
    day = occurred.date()
    for name, low, high, value in _windows(obj, occurred, day, now, ahead, lag):
        if value is not None and not low <= value <= high:
            return name
    return None


def _shape_ok(obj: dict[str, Any]) -> bool:
    minutes, at = obj.get("minutes"), obj.get("at")
    start, end = _moment(obj.get("start")), _moment(obj.get("end"))
    point, span = (minutes is not None, at is not None), (start is not None, end is not None)
    if point[0] != point[1] or span[0] != span[1] or point[0] == span[0]:
        return False
    return start is None or end is None or timedelta(0) < end - start <= ONE_DAY


def _windows(
    obj: dict[str, Any], at: datetime, day: date, now: datetime, ahead: timedelta, lag: timedelta
) -> list[tuple[str, Any, Any, Any]]:
    kind = obj["type"]
    cancelled = {"patient_admission_cancelled": "admitted_at",
                 "patient_discharge_cancelled": "discharged_at"}  # fmt: skip
    if kind == "time_logged" or kind in cancelled:
        names = [cancelled[kind]] if kind in cancelled else ["at", "start", "end"]
        return [(n, at - lag, at + ahead, _moment(obj.get(n))) for n in names]
    dated = {"initiating_visit_completed": "on", "service_billed_elsewhere": "on",
             "patient_died": "died_on"}  # fmt: skip
    if kind in dated:
        name = dated[kind]
        return [(name, day - lag, day + ONE_DAY, _date(obj[name]))]
    if kind == "patient_identified":
        born = (obj.get("demographics") or {}).get("birth_date")
        return [
            ("last_visit_on", _years_back(day, 25), day + ONE_DAY, _date(obj.get("last_visit_on"))),
            ("demographics.birth_date", date(1900, 1, 1), day, _date(born)),
        ]
    if kind.startswith("care_plan"):
        shared = _moment(obj.get("shared_with_patient_at"))
        return [("shared_with_patient_at", at - lag, now + ahead, shared)]
    if kind == "complexity_assessed":
        first = date(int(obj["service_month"][:4]), int(obj["service_month"][5:]), 1)
        return [("service_month", day - lag, day + ONE_DAY, first)]
    return []
