"""CarePlan (active) → ``care_plan_established``, or ``care_plan_revised`` when it ``replaces``
an earlier plan. Problems are ``addresses[].display``, goals ``goal[].display``."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.careplan import CarePlan

from events.upstream import CarePlanEstablished, CarePlanRevised, UpstreamEvent
from fhir_in import profile
from fhir_in.common import Context, build, content_key, extensions, moment, opaque, patient_of

PATHS = {"problems": "CarePlan.addresses", "goals": "CarePlan.goal",
         "shared_with_patient_at": "CarePlan.extension", "": "CarePlan"}  # fmt: skip


def map_careplan(c: CarePlan, ctx: Context) -> list[UpstreamEvent]:
    if c.status != "active":
        return []  # a draft, or a plan no longer in force, establishes nothing
    shared = extensions(c, profile.SHARED_AT)
    created = c.created or (c.period.start if c.period else None)
    fields: dict[str, Any] = {
        "patient_id": patient_of(c.subject, ctx, "CarePlan.subject"),
        "occurred_at": moment(created, "CarePlan.created"),
        "care_plan_id": opaque(c.id, "CarePlan.id"),
        "problems": [r.display for r in c.addresses or [] if r.display],
        "goals": [r.display for r in c.goal or [] if r.display],
        "shared_with_patient_at": moment(shared[0].valueDateTime, PATHS["shared_with_patient_at"])
        if shared else None,
        "meta": ctx.meta,
    }  # fmt: skip
    key = content_key(f"CarePlan/{c.id}", fields)
    if c.replaces:
        return [build(CarePlanRevised, PATHS, event_id=key, **fields)]
    return [build(CarePlanEstablished, PATHS, event_id=key, **fields)]
