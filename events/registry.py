"""The codec between event models and stored rows: type + schema_version → current model.

Events are stored as the JSON of the model that wrote them. Reading applies the registered
upcasters (``@upcaster("type", from_version)``: a pure function from the stored dict at
``from_version`` to the dict at ``from_version + 1``) until the current version, then validates
with the current model. Anything that cannot be read raises ``EventDecodeError`` naming the
position: a projection must stop there, never skip silently.

Upcasters register at import time; the module defining them must be imported before reading.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Annotated, Any, cast, get_args, get_origin

from pydantic import Field, ValidationError
from pydantic_core import SchemaValidator

from events import upcasters as _upcasters
from events.base import Event
from events.claims import ClaimEventAny
from events.decisions import DecisionEvent
from events.practice import PolicyChanged
from events.trusted import stored_validator
from events.upstream import UpstreamEvent

AnyEvent = Annotated[
    UpstreamEvent | DecisionEvent | PolicyChanged | ClaimEventAny, Field(discriminator="type")
]

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class EventDecodeError(Exception):
    """A stored event cannot be read as a current model; names where, never the content."""

    def __init__(self, position: int, type_: str, schema_version: int, reason: str) -> None:
        super().__init__(f"event at position {position} ({type_} v{schema_version}): {reason}")
        self.position = position
        self.type = type_
        self.schema_version = schema_version


class EventEncodeError(ValueError):
    """An event the registry does not know, so it could never be read back."""


def union_members(tp: object) -> list[type[Event]]:
    """The event classes of a (possibly Annotated, possibly nested) union of event models."""
    if get_origin(tp) is Annotated:
        return union_members(get_args(tp)[0])
    if isinstance(tp, type) and issubclass(tp, Event):
        return [tp]
    return [m for arg in get_args(tp) for m in union_members(arg)]


def _literal_default(model: type[Event], field: str) -> Any:
    value = model.model_fields[field].default
    if value is None:
        raise TypeError(f"{model.__name__}.{field} needs a literal default to be registered")
    return value


class Registry:
    """Current event models by ``type`` and the upcasters that bring old versions up to them."""

    def __init__(self, models: Iterable[type[Event]] = ()) -> None:
        self._models: dict[str, type[Event]] = {}
        self._versions: dict[str, int] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        # type -> (current schema version, its stored-event validator), filled on first read
        self._stored: dict[str, tuple[int, SchemaValidator]] = {}
        for model in models:
            self.register(model)

    def register(self, model: type[Event]) -> type[Event]:
        """Makes ``model`` the current model of its ``type``; one model per type."""
        type_ = str(_literal_default(model, "type"))
        if type_ in self._models and self._models[type_] is not model:
            raise TypeError(f"event type {type_!r} is already registered")
        self._models[type_] = model
        self._versions[type_] = int(_literal_default(model, "schema_version"))
        self._stored.pop(type_, None)
        return model

    def upcaster(self, type_: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Registers ``fn``: a stored ``type_`` dict at ``from_version`` → the next version's."""

        def register(fn: Upcaster) -> Upcaster:
            if (type_, from_version) in self._upcasters:
                raise TypeError(f"an upcaster for {type_} v{from_version} is already registered")
            self._upcasters[(type_, from_version)] = fn
            return fn

        return register

    def current_version(self, type_: str) -> int | None:
        return self._versions.get(type_)

    def current_versions(self) -> dict[str, int]:
        """Every registered type with its current schema version."""
        return dict(self._versions)

    def encode(self, event: Event) -> tuple[str, int, dict[str, Any]]:
        """``(type, schema_version, data)``: the JSON-ready dict the store writes."""
        self._check_current(event)
        return event.type, event.schema_version, event.model_dump(mode="json")

    def encode_json(self, event: Event) -> tuple[str, int, str]:
        """Like ``encode`` but the exact JSON text to store (deterministic per model and values)."""
        self._check_current(event)
        return event.type, event.schema_version, event.model_dump_json()

    def decode(self, type_: str, schema_version: int, data: dict[str, Any], position: int) -> Event:
        """The current model of a stored event, upcast as needed; ``EventDecodeError`` otherwise."""
        model = self._model_for(type_, schema_version, position)
        version = schema_version
        while version < self._versions[type_]:
            step = self._upcasters.get((type_, version))
            if step is None:
                raise EventDecodeError(
                    position, type_, schema_version, f"no upcaster from v{version}"
                )
            try:
                data = {**step(dict(data)), "schema_version": version + 1}
            except Exception as e:  # an upcaster meeting data it did not expect
                reason = f"upcaster from v{version} failed ({type(e).__name__})"
                raise EventDecodeError(position, type_, schema_version, reason) from None
            version += 1
        try:
            # Stored (or upcast) data, already validated once when it was written: lax.
            return model.model_validate(data, strict=False)
        except ValidationError as e:
            raise EventDecodeError(position, type_, schema_version, _fields(e)) from None

    def decode_json(self, type_: str, schema_version: int, text: str, position: int) -> Event:
        """``decode`` from a STORED row's JSON text; current versions validate straight from the
        text with the stored-event validator (``events.trusted``: structure checked, the edge's
        business rules not re-run). Never use it for input from outside the store."""
        current = self._stored.get(type_)
        if current is None:
            model = self._models.get(type_)
            if model is None:  # unknown: decode says so
                return self.decode(type_, schema_version, {}, position)
            current = self._stored[type_] = (self._versions[type_], stored_validator(model))
        version, validator = current
        if schema_version != version:
            data = _load(text, type_, schema_version, position)
            return self.decode(type_, schema_version, data, position)
        try:
            return cast(Event, validator.validate_json(text))
        except ValidationError as e:
            raise EventDecodeError(position, type_, schema_version, _fields(e)) from None

    def _model_for(self, type_: str, schema_version: int, position: int) -> type[Event]:
        model = self._models.get(type_)
        if model is None:
            raise EventDecodeError(position, type_, schema_version, "unknown event type")
        if schema_version > self._versions[type_]:
            current = self._versions[type_]
            raise EventDecodeError(
                position, type_, schema_version, f"newer than this code (v{current})"
            )
        return model

    def _check_current(self, event: Event) -> None:
        if self._models.get(event.type) is not type(event):
            raise EventEncodeError(
                f"event type {event.type!r} ({type(event).__name__}) is not registered"
            )


def _load(text: str, type_: str, schema_version: int, position: int) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        raise EventDecodeError(position, type_, schema_version, "payload is not JSON") from None
    if not isinstance(data, dict):
        raise EventDecodeError(position, type_, schema_version, "payload is not a JSON object")
    return data


def _fields(error: ValidationError) -> str:
    # Locations and error kinds only: input values may be PHI and must not reach logs.
    problems = ", ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'} ({err['type']})"
        for err in error.errors(include_input=False, include_url=False)
    )
    return f"malformed data: {problems}"


DEFAULT_REGISTRY = Registry(union_members(AnyEvent))
_upcasters.register(DEFAULT_REGISTRY)
encode = DEFAULT_REGISTRY.encode
decode = DEFAULT_REGISTRY.decode
upcaster = DEFAULT_REGISTRY.upcaster
