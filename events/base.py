"""What every stored event shares: identity, patient, time and provenance."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from events.fields import Moment

# Opaque identifiers only: ids reach workflow IDs, search attributes and logs, so they must never
# carry a name, MBI or birth date. The pattern keeps them to id-like characters.
OpaqueId = Annotated[
    str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@/-]*$")
]


class EventMeta(BaseModel):
    """Provenance: which system said it, who did it, and which message caused it."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    source: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")] = (
        "upstream"
    )
    actor: OpaqueId | None = None
    correlation_id: OpaqueId | None = None
    causation_id: OpaqueId | None = None


class Event(BaseModel):
    """Base of every stored event: identity, time and provenance; ``stream`` is where it lives.

    ``event_id`` is business identity (the upstream message id, or a key the engine derives
    from the decision it records), unique per ``meta.source``; ``store_key`` is what the store
    deduplicates on. ``occurred_at`` is when it happened in the world; the store adds
    ``recorded_at`` when it was written.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str
    schema_version: int
    event_id: OpaqueId
    occurred_at: Moment
    meta: EventMeta = EventMeta()

    @property
    def stream(self) -> str:
        raise NotImplementedError

    @property
    def store_key(self) -> str:
        return f"{self.meta.source}:{self.event_id}"


class PatientEvent(Event):
    """Base of every event in a patient's stream."""

    patient_id: OpaqueId

    @property
    def stream(self) -> str:
        return stream_for(self.patient_id)


class PracticeEvent(Event):
    """Base of every event in a practice's stream (its policies)."""

    practice_id: OpaqueId

    @property
    def stream(self) -> str:
        return practice_stream(self.practice_id)


ENGINE_SOURCE = "engine"


class UpstreamFact(PatientEvent):
    """Base of the upstream contract's events: strict, so no JSON value is coerced (a number is
    never a timestamp, ``"12"`` never a count, ``"yes"`` never true)."""

    model_config = ConfigDict(strict=True)

    @field_validator("meta")
    @classmethod
    def _not_the_engine(cls, meta: EventMeta) -> EventMeta:
        # The engine's decisions are keyed under its own source: no sender may write as it.
        if meta.source == ENGINE_SOURCE:
            raise ValueError(f"source {ENGINE_SOURCE!r} is the engine's own")
        return meta

    @field_validator("schema_version", mode="before")
    @classmethod
    def _exact_version(cls, value: object) -> object:
        # A Literal compares by equality: strictness alone lets true and 1.0 pass for 1.
        if type(value) is not int:
            raise ValueError("must be a whole number")
        return value


def stream_for(patient_id: str) -> str:
    """The stream name of one patient: opaque, as the patient id is."""
    return f"patient-{patient_id}"


def practice_stream(practice_id: str) -> str:
    """The stream name of one practice's own events (its policy versions)."""
    return f"practice-{practice_id}"
