"""Patients named by another system's identifier (an MRN): the engine's id from
``patient_identifiers`` (``ccm patients link --system <Identifier.system> --value …``).

Runs before the pure mapping: a Patient without an identifier in the engine's system, and a
reference that names a patient by an identifier only, get the engine's identifier added when
one of theirs is linked. What stays unlinked is refused by the mapping, naming the element.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fhir_in import profile
from fhir_in.bundle import Item
from upstream.identifiers import AmbiguousIdentifiers, Identifier

Resolve = Callable[[Sequence[Identifier]], Awaitable[str | None]]
# Where each mapped resource names its patient.
PATIENT_REFERENCE = {
    "Coverage": "beneficiary", "Consent": "patient", "Condition": "subject",
    "Encounter": "subject", "CarePlan": "subject", "Procedure": "subject",
}  # fmt: skip


async def link_patients(items: Sequence[Item], resolve: Resolve) -> list[Item]:
    """``items`` with the engine's patient identifier added where a link names it."""
    return [await _linked(item, resolve) for item in items]


async def _linked(item: Item, resolve: Resolve) -> Item:
    kind = item.resource.get("resourceType")
    if kind == "Patient":
        return await _patient(item, resolve)
    return await _reference(item, kind, resolve)


async def _patient(item: Item, resolve: Resolve) -> Item:
    identifiers = item.resource.get("identifier")
    if not isinstance(identifiers, list) or _engine(identifiers):
        return item
    found = await _resolve(identifiers, resolve)
    if found is None:
        return item
    ours = {"system": profile.PATIENT, "value": found}
    return _replace(item, {**item.resource, "identifier": [*identifiers, ours]})


async def _reference(item: Item, kind: Any, resolve: Resolve) -> Item:
    resource = item.resource
    field = PATIENT_REFERENCE.get(kind) if isinstance(kind, str) else None
    reference = resource.get(field) if field else None
    if field is None or not isinstance(reference, dict):
        return item
    identifier = reference.get("identifier")
    if not isinstance(identifier, dict) or _engine([identifier]):
        return item
    found = await _resolve([identifier], resolve)
    if found is None:
        return item
    named = {**reference, "identifier": {"system": profile.PATIENT, "value": found}}
    return _replace(item, {**resource, field: named})


def _engine(identifiers: list[Any]) -> bool:
    return any(isinstance(i, dict) and i.get("system") == profile.PATIENT for i in identifiers)


async def _resolve(identifiers: list[Any], resolve: Resolve) -> str | None:
    pairs = [(i["system"], i["value"]) for i in identifiers if isinstance(i, dict)
             and isinstance(i.get("system"), str) and isinstance(i.get("value"), str)]  # fmt: skip
    try:
        return await resolve(pairs) if pairs else None
    except AmbiguousIdentifiers:
        return None  # refused by the mapping: no engine identifier


def _replace(item: Item, resource: dict[str, Any]) -> Item:
    return Item(item.number, resource, item.full_url, item.method)
