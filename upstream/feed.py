"""Reading a JSONL feed: every line validated against the contract before anything is sent."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import TypeAdapter, ValidationError

from events.upstream import UpstreamEvent

ADAPTER: TypeAdapter[UpstreamEvent] = TypeAdapter(UpstreamEvent)


@dataclass(frozen=True)
class Rejection:
    """One refused line: where, which field, and why (the value stays in the reject file only)."""

    line: int
    field: str
    reason: str
    event_id: str | None = None

    def as_record(self) -> dict[str, object]:
        return {
            "line": self.line,
            "field": self.field,
            "reason": self.reason,
            "event_id": self.event_id,
        }


@dataclass
class ParsedFeed:
    """Valid events in file order, each with its line number, and the lines refused."""

    events: list[tuple[int, UpstreamEvent]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    def by_patient(self) -> dict[str, list[tuple[int, UpstreamEvent]]]:
        """Each patient's events in file order: the order the workflow will apply them."""
        groups: dict[str, list[tuple[int, UpstreamEvent]]] = {}
        for number, event in self.events:
            groups.setdefault(event.patient_id, []).append((number, event))
        return groups


def parse_lines(lines: Iterable[str]) -> ParsedFeed:
    """Validates each non-blank line; a bad line is reported, never fatal to the others."""
    feed = ParsedFeed()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            feed.events.append((number, ADAPTER.validate_json(line)))
        except ValidationError as exc:
            feed.rejected.append(_first_error(number, exc, line))
    return feed


def _first_error(number: int, exc: ValidationError, line: str) -> Rejection:
    error = exc.errors(include_url=False)[0]
    loc = [str(part) for part in error["loc"]]
    # The first location part is the union tag ("time_logged"); the field path follows it.
    path = ".".join(loc[1:]) if len(loc) > 1 else "(event)"
    reason = error["msg"]
    value = error.get("input")
    # Name the value, but never one under demographics (PHI) or a whole object.
    if not path.startswith("demographics") and isinstance(value, int | float | str):
        reason += f" (got {str(value)[:40]!r})"
    return Rejection(line=number, field=path, reason=reason, event_id=_event_id(line))


def _event_id(line: str) -> str | None:
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return None
    value = data.get("event_id") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None
