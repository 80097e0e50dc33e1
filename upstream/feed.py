"""Reading a JSONL feed: every line validated against the contract before anything is sent.

Lines are split on ``\\n`` only (a JSON string may hold U+2028, U+2029 or U+0085), decoded as
UTF-8 one by one, and bounded in size; a line that is broken in any way is refused alone, by its
number and the problem, never echoed. Refusals name the field; a value is shown only for fields
that cannot carry PHI (counts, codes, enumerations), never for demographics, dates, free text or
a field the contract does not know.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from care.policy import Policy
from events.plausible import implausible
from events.upstream import UpstreamEvent

ADAPTER: TypeAdapter[UpstreamEvent] = TypeAdapter(UpstreamEvent)
# One event is a few hundred bytes; a care plan with 100 long goals is under 100 KB.
MAX_LINE_BYTES = 256 * 1024
# Fields whose values are codes, counts or enumerations: a number or flag sent there is safe to
# show in a refusal; a string never is (a name or an MBI mapped into the wrong field is PHI).
SHOWN = frozenset(
    {"minutes", "role", "channel", "outcome", "method", "facility", "status", "mdm", "code",
     "counted_toward", "schema_version", "g0506", "qmb", "transfer_out", "primary_care_responsible"}
)  # fmt: skip
BOM = "\ufeff".encode()
_EVENT_ID = re.compile(rb'"event_id"\s*:\s*"([A-Za-z0-9][A-Za-z0-9._:@/-]{0,127})"')


@dataclass(frozen=True)
class Rejection:
    """One refused line: where, which field, and why (never a PHI value)."""

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


def read_feed(data: bytes, now: datetime, policy: Policy) -> ParsedFeed:
    """Parses a JSONL file's bytes; ``now`` is the clock the date windows are judged against."""
    return parse_lines(data.split(b"\n"), now, policy)


def parse_lines(lines: Iterable[bytes | str], now: datetime, policy: Policy) -> ParsedFeed:
    """Validates each non-blank line; a bad line is reported, never fatal to the others."""
    feed = ParsedFeed()
    for number, raw in enumerate(lines, start=1):
        line = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
        line = line.removesuffix(b"\r")
        if number == 1:
            line = line.removeprefix(BOM)  # Windows tools start a UTF-8 file with one
        if not line.strip():
            continue
        result = _parse(number, line, now, policy)
        if isinstance(result, Rejection):
            feed.rejected.append(result)
        else:
            feed.events.append((number, result))
    return feed


def _parse(number: int, line: bytes, now: datetime, policy: Policy) -> UpstreamEvent | Rejection:
    event_id = _event_id(line)
    if len(line) > MAX_LINE_BYTES:
        reason = f"line is {len(line)} bytes: over the {MAX_LINE_BYTES}-byte limit"
        return Rejection(number, "(line)", reason, event_id)
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejection(number, "(line)", f"not UTF-8 text (byte {exc.start})", event_id)
    try:
        event = ADAPTER.validate_json(text)
    except ValidationError as exc:
        return _first_error(number, exc.errors(include_url=False), event_id)
    window = implausible(event, now, policy)
    if window is not None:
        return Rejection(number, window.field, window.reason, event.event_id)
    return event


def _first_error(number: int, errors: list[ErrorDetails], event_id: str | None) -> Rejection:
    error = errors[0]
    loc = [str(part) for part in error["loc"]]
    # The first location part is the union tag ("time_logged"); the field path follows it.
    path = ".".join(loc[1:]) if len(loc) > 1 else "(event)"
    return Rejection(number, path, _reason(error, loc[-1] if len(loc) > 1 else ""), event_id)


def _reason(error: ErrorDetails, name: str) -> str:
    kind, reason = error["type"], error["msg"]
    if kind == "union_tag_invalid":
        reason = "type: not an event type of the contract (see the README)"
    elif kind == "extra_forbidden":
        reason = "not a field of this event type"
    elif kind == "value_error":
        reason = reason.removeprefix("Value error, ")
    value = error.get("input")
    shown = isinstance(value, int | float) and len(str(value)) <= 16
    if name in SHOWN and shown and kind != "extra_forbidden":
        reason += f" (got {value!r})"
    return reason


def _event_id(line: bytes) -> str | None:
    """The line's event_id when it is plainly there, without parsing the (maybe broken) JSON."""
    found = _EVENT_ID.search(line[:4096])
    return found.group(1).decode() if found else None
