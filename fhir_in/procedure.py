"""Procedure (category ``ccm-time``) → ``time_logged``, or ``time_entry_voided`` when it was
entered in error. The Procedure's id is the entry id: a corrected entry is voided and sent
under a new id, as the contract requires."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fhir.resources.R4B.procedure import Procedure

from events.upstream import TimeEntryVoided, TimeLogged, UpstreamEvent
from fhir_in import profile
from fhir_in.common import (
    Context,
    Unmappable,
    build,
    codes,
    extensions,
    moment,
    opaque,
    patient_of,
)

PATHS = {
    "staff_id": "Procedure.performer.actor", "role": "Procedure.performer.function",
    "credential": "Procedure.performer.function", "activity": "Procedure.code",
    "minutes": "Procedure.extension", "at": "Procedure.performedDateTime",
    "start": "Procedure.performedPeriod.start", "end": "Procedure.performedPeriod.end",
    "counted_toward": "Procedure.extension", "": "Procedure",
}  # fmt: skip


def map_procedure(p: Procedure, ctx: Context) -> list[UpstreamEvent]:
    if "ccm-time" not in codes(p.category, profile.PROCEDURE_CATEGORY):
        why = f"not a time entry: needs a category coding {profile.PROCEDURE_CATEGORY}|ccm-time"
        raise Unmappable("Procedure.category", why)
    entry = opaque(p.id, "Procedure.id")
    head = {"patient_id": patient_of(p.subject, ctx, "Procedure.subject"), "meta": ctx.meta}
    if p.status == "entered-in-error":
        at = moment(p.meta.lastUpdated if p.meta else None, "Procedure.meta.lastUpdated")
        reason = (p.statusReason.text if p.statusReason else None) or "entered in error"
        return [build(TimeEntryVoided, PATHS, event_id=f"Procedure/{entry}/voided",
                      occurred_at=at, entry_id=entry, reason=reason, **head)]  # fmt: skip
    if p.status != "completed":
        return []
    fields = {**_when(p), **_performer(p), **_details(p), **head}
    return [build(TimeLogged, PATHS, event_id=f"Procedure/{entry}", entry_id=entry, **fields)]


def _when(p: Procedure) -> dict[str, Any]:
    if p.performedPeriod is not None:
        start = moment(p.performedPeriod.start, PATHS["start"])
        end = moment(p.performedPeriod.end, PATHS["end"])
        return {"occurred_at": end, "start": start, "end": end}
    at = moment(p.performedDateTime, PATHS["at"])
    duration = extensions(p, profile.DURATION)
    value = duration[0].valueDuration if duration else None
    if value is None or value.code != "min" or value.value is None:
        why = "a performedDateTime needs a duration extension (valueDuration, code min)"
        raise Unmappable("Procedure.extension", why)
    minutes = value.value
    if not isinstance(minutes, Decimal) or minutes != minutes.to_integral_value():
        raise Unmappable("Procedure.extension", "the duration must be whole minutes")
    return {"occurred_at": at, "at": at, "minutes": int(minutes)}


def _performer(p: Procedure) -> dict[str, Any]:
    for index, performer in enumerate(p.performer or []):
        actor = performer.actor.identifier if performer.actor else None
        if actor is None or actor.system != profile.STAFF:
            continue
        role = codes(performer.function, profile.STAFF_ROLE)
        if not role:
            path = f"Procedure.performer[{index}].function"
            raise Unmappable(path, f"needs a coding with system {profile.STAFF_ROLE}")
        credential = codes(performer.function, profile.CREDENTIAL)
        return {"staff_id": opaque(actor.value, f"Procedure.performer[{index}].actor"),
                "role": role[0], "credential": credential[0] if credential else None}  # fmt: skip
    raise Unmappable(
        "Procedure.performer", f"needs an actor identifier with system {profile.STAFF}"
    )


def _details(p: Procedure) -> dict[str, Any]:
    activity = codes(p.code, profile.ACTIVITY)
    counted = extensions(p, profile.COUNTED_TOWARD)
    return {"activity": activity[0] if activity else "care_management",
            "counted_toward": counted[0].valueCode if counted else None}  # fmt: skip
