"""Upcasters of the engine's stored events: each turns a stored version into the next one.

Pure functions of the stored dict, registered on the default registry by ``register``; never
edited once released (a stored event must read the same forever).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from events.registry import Registry


def upcast_month_closed_v1(data: dict[str, Any]) -> dict[str, Any]:
    """v1 -> v2: codes gain the decision's date of service; ``g0506_on`` becomes a G0506 line."""
    decision = dict(data["decision"])
    dos = decision.get("date_of_service")
    lines = [{**code, "date_of_service": dos} for code in decision.get("codes", [])]
    g0506_on = decision.pop("g0506_on", None)
    if g0506_on is not None:
        lines.append({"code": "G0506", "units": 1, "date_of_service": g0506_on})
    decision["codes"] = lines
    return {**data, "decision": decision}


def upcast_month_closed_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v2 -> v3: facts were not stored before v3; version 0: the policy then came with the
    workflow from its first sender, not from the practice's versioned history."""
    return {**data, "facts": None, "policy_version": 0}


def upcast_claim_prepared_v1(data: dict[str, Any]) -> dict[str, Any]:
    """v1 -> v2: every code is a line dated with the claim's one date of service."""
    dos = data["date_of_service"]
    return {**data, "codes": [{**code, "date_of_service": dos} for code in data["codes"]]}


def register(registry: Registry) -> None:
    """Registers every upcaster above on ``registry``."""
    registry.upcaster("month_closed", 1)(upcast_month_closed_v1)
    registry.upcaster("month_closed", 2)(upcast_month_closed_v2)
    registry.upcaster("claim_prepared", 1)(upcast_claim_prepared_v1)
