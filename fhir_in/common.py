"""What every resource mapping shares: refusals with a FHIRPath, references to the patient,
moments, codings, extensions, and building a contract event with errors mapped back to FHIR.

A refusal names the element (FHIRPath) and the rule, never a value: resources carry PHI.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from events.base import EventMeta, OpaqueId
from fhir_in import profile

M = TypeVar("M", bound=BaseModel)
_OPAQUE: TypeAdapter[str] = TypeAdapter(OpaqueId)


class Unmappable(Exception):
    """A resource the engine cannot map: ``expression`` is the FHIRPath of the problem."""

    def __init__(self, expression: str, reason: str) -> None:
        super().__init__(f"{expression}: {reason}")
        self.expression = expression
        self.reason = reason


@dataclass(frozen=True)
class Context:
    """``patients``: each Patient of the Bundle by the references that may name it
    (``Patient/<id>``, its ``fullUrl``) → the engine's patient id."""

    source: str
    patients: Mapping[str, str] = field(default_factory=dict)

    @property
    def meta(self) -> EventMeta:
        return EventMeta(source=self.source)


def opaque(value: str | None, path: str) -> str:
    if not value:
        raise Unmappable(path, "is required")
    try:
        return _OPAQUE.validate_python(value)
    except ValidationError:
        raise Unmappable(path, "must be an opaque id (letters, digits, . _ : @ / -)") from None


def by_system(items: Iterable[Any] | None, system: str) -> str | None:
    """The value of the first Identifier (or Coding: its code) with ``system``."""
    for item in items or ():
        if getattr(item, "system", None) == system:
            return getattr(item, "value", None) or getattr(item, "code", None)
    return None


def reference_id(ref: Any, system: str, path: str) -> str:
    """The opaque id a Reference names by its ``identifier`` in ``system``."""
    identifier = getattr(ref, "identifier", None) if ref is not None else None
    if identifier is None or identifier.system != system:
        raise Unmappable(f"{path}.identifier", f"needs an identifier with system {system}")
    return opaque(identifier.value, f"{path}.identifier.value")


def patient_of(ref: Any, ctx: Context, path: str) -> str:
    """The engine patient a Reference names: a Patient of the Bundle, or an identifier with the
    engine's system."""
    if ref is None:
        raise Unmappable(path, "is required")
    identifier = ref.identifier
    if identifier is not None and identifier.system == profile.PATIENT:
        return opaque(identifier.value, f"{path}.identifier.value")
    if ref.reference and ref.reference in ctx.patients:
        return ctx.patients[ref.reference]
    why = f"names no Patient of this Bundle and no identifier with system {profile.PATIENT}"
    raise Unmappable(path, why)


def moment(value: Any, path: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise Unmappable(path, "needs a date and time with a UTC offset")
    return value


def codes(concepts: Iterable[Any] | Any | None, system: str) -> list[str]:
    """Codes of ``system`` in one CodeableConcept or a list of them."""
    if concepts is None:
        return []
    many: list[Any] = concepts if isinstance(concepts, list) else [concepts]
    return [c.code for cc in many for c in (cc.coding or []) if c.system == system and c.code]


def extensions(resource: Any, url: str) -> list[Any]:
    return [e for e in (resource.extension or []) if e.url == url]


def content_key(prefix: str, data: Mapping[str, Any]) -> str:
    """An event id derived from the event's content: the same statement sent again is a
    duplicate, a changed one a new event (a re-identification, a care plan revision)."""
    text = TypeAdapter(dict[str, Any]).dump_json(dict(data))
    return f"{prefix}-{hashlib.sha256(text).hexdigest()[:32]}"


def build(model: type[M], paths: Mapping[str, str], **fields: Any) -> M:
    """The contract event, or ``Unmappable`` at the FHIRPath ``paths`` gives its field."""
    try:
        return model(**fields)
    except ValidationError as exc:
        error = exc.errors(include_input=False, include_url=False)[0]
        name = str(error["loc"][0]) if error["loc"] else ""
        reason = error["msg"].removeprefix("Value error, ")
        raise Unmappable(paths.get(name, paths.get("", "")), f"{name}: {reason}") from None
