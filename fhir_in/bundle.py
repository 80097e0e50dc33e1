"""A Bundle (transaction or batch) or a list of resources → contract events, entry by entry.

Each resource is validated with its R4B model, then mapped by its own pure function. Patients
come first (other resources reference them); a Patient's Coverage and Condition resources join
its ``patient_identified``, so one of them refused refuses the Patient too (identifying a patient
without a diagnosis the sender meant would drop it). A transaction is all or nothing: one
refusal and nothing is mapped. A refusal names the entry, ``resourceType/id`` and the FHIRPath.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.procedure import Procedure
from pydantic import ValidationError

from events.upstream import UpstreamEvent
from fhir_in.careplan import map_careplan
from fhir_in.common import Context, Unmappable
from fhir_in.consent import map_consent
from fhir_in.encounter import map_encounter
from fhir_in.patient import PatientFacts, identified, map_condition, map_coverage, map_patient
from fhir_in.procedure import map_procedure

MODELS: dict[str, Any] = {
    "Patient": Patient, "Coverage": Coverage, "Condition": Condition, "Encounter": Encounter,
    "Consent": Consent, "CarePlan": CarePlan, "Procedure": Procedure,
}  # fmt: skip
MAPPERS: dict[str, Callable[[Any, Context], list[UpstreamEvent]]] = {
    "Encounter": map_encounter, "Consent": map_consent, "CarePlan": map_careplan,
    "Procedure": map_procedure,
}  # fmt: skip


@dataclass(frozen=True)
class Item:
    """One entry: its number (1-based), the resource JSON, its fullUrl, its request method."""

    number: int
    resource: dict[str, Any]
    full_url: str | None = None
    method: str | None = None

    @property
    def ref(self) -> str:
        kind = str(self.resource.get("resourceType", "(resource)"))
        rid = self.resource.get("id")
        return f"{kind}/{rid}" if isinstance(rid, str) and len(rid) <= 64 else f"{kind}/(no id)"


@dataclass(frozen=True)
class Refusal:
    entry: int
    resource: str  # resourceType/id
    expression: str  # FHIRPath of the problem
    reason: str


@dataclass
class Mapped:
    """Events in entry order, which entries each event stands for, and the refusals."""

    events: list[tuple[int, UpstreamEvent]] = field(default_factory=list)
    entries_of: dict[str, list[int]] = field(default_factory=dict)  # event_id -> entry numbers
    refused: list[Refusal] = field(default_factory=list)

    def add(self, entries: list[int], events: list[UpstreamEvent]) -> None:
        for event in events:
            self.events.append((entries[0], event))
            self.entries_of[event.event_id] = entries


def map_items(items: Sequence[Item], source: str, atomic: bool = False) -> Mapped:
    """Maps every item; ``atomic`` (a transaction): one refusal refuses all."""
    out, models = Mapped(), {}  # models: entry number -> (item, R4B model)
    for item in items:
        refusal, model = _validate(item)
        if refusal is not None:
            out.refused.append(refusal)
        elif model is not None:
            models[item.number] = (item, model)
    ctx, facts = _patients(models, source, out)
    _joined(models, ctx, facts, out)
    for number, (item, model) in models.items():
        mapper = MAPPERS.get(item.resource["resourceType"])
        if mapper is not None:
            try:
                out.add([number], mapper(model, ctx))
            except Unmappable as exc:
                out.refused.append(Refusal(number, item.ref, exc.expression, exc.reason))
    out.events.sort(key=lambda pair: pair[0])
    out.refused.sort(key=lambda r: r.entry)
    if atomic and out.refused:
        return Mapped(refused=out.refused)
    return out


def _validate(item: Item) -> tuple[Refusal | None, Any]:
    kind = item.resource.get("resourceType")
    if item.method == "DELETE":
        why = "DELETE is not taken: send the resource with status entered-in-error"
        return Refusal(item.number, item.ref, "Bundle.entry.request.method", why), None
    model = MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        why = f"resource type not mapped (mapped: {', '.join(MODELS)})"
        return Refusal(item.number, item.ref, "resourceType", why), None
    try:
        return None, model.model_validate(item.resource)
    except ValidationError as exc:
        error = exc.errors(include_input=False, include_url=False)[0]
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
        why = "not a valid value" if error["type"] == "value_error" else error["msg"]
        return Refusal(item.number, item.ref, f"{kind}{path}", why), None


@dataclass
class _Joined:
    """A Patient's facts so far and the entries they came from (the Patient's first)."""

    facts: PatientFacts
    entries: list[int]


def _patients(
    models: dict[int, tuple[Item, Any]], source: str, out: Mapped
) -> tuple[Context, dict[str, _Joined]]:
    refs: dict[str, str] = {}
    joined: dict[str, _Joined] = {}
    for number, (item, model) in models.items():
        if not isinstance(model, Patient):
            continue
        try:
            patient = map_patient(model)
        except Unmappable as exc:
            out.refused.append(Refusal(number, item.ref, exc.expression, exc.reason))
            continue
        joined[patient.patient_id] = _Joined(patient, [number])
        refs[item.ref] = patient.patient_id
        if item.full_url:
            refs[item.full_url] = patient.patient_id
    return Context(source=source, patients=refs), joined


def _joined(
    models: dict[int, tuple[Item, Any]], ctx: Context, joined: dict[str, _Joined], out: Mapped
) -> None:
    """Coverage and Condition into their Patient's facts, then one ``patient_identified`` each."""
    failed: set[str] = set()
    for number, (item, model) in models.items():
        if isinstance(model, Coverage | Condition):
            try:
                _join(model, ctx, joined).entries.append(number)
            except Unmappable as exc:
                out.refused.append(Refusal(number, item.ref, exc.expression, exc.reason))
                named = _names(model, ctx)
                if named is not None:
                    failed.add(named)
    for patient_id, j in joined.items():
        ref = models[j.entries[0]][0].ref
        if patient_id in failed:
            why = "a Coverage or Condition of this Patient was refused"
            out.refused.append(Refusal(j.entries[0], ref, "Patient", why))
            continue
        try:
            out.add(j.entries, [identified(j.facts, ctx)])
        except Unmappable as exc:
            out.refused.append(Refusal(j.entries[0], ref, exc.expression, exc.reason))


def _join(model: Coverage | Condition, ctx: Context, joined: dict[str, _Joined]) -> _Joined:
    if isinstance(model, Coverage):
        patient, mbi, qmb = map_coverage(model, ctx)
        j = _need(joined, patient, "Coverage.beneficiary")
        j.facts = replace(j.facts, mbi=mbi or j.facts.mbi, qmb=qmb or j.facts.qmb)
        return j
    patient, code = map_condition(model, ctx)
    j = _need(joined, patient, "Condition.subject")
    j.facts = replace(j.facts, diagnoses=[*j.facts.diagnoses, *([code] if code else [])])
    return j


def _names(model: Coverage | Condition, ctx: Context) -> str | None:
    """The patient a refused resource named, when it named one at all."""
    ref = model.beneficiary if isinstance(model, Coverage) else model.subject
    if ref is None:
        return None
    if ref.identifier is not None and ref.identifier.value:
        return str(ref.identifier.value)
    return ctx.patients.get(ref.reference or "")


def _need(joined: dict[str, _Joined], patient: str, path: str) -> _Joined:
    if patient not in joined:
        why = "its Patient must be in the same Bundle: diagnoses, MBI and QMB travel with it"
        raise Unmappable(path, why)
    return joined[patient]
