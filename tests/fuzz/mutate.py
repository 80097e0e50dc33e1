"""Mutations of a valid event along every axis issue 10 names: type, bound, date, size,
encoding, nesting, unknown fields carrying PHI-looking values, missing fields. Identity
(a foreign id, one id with other content) needs a store: the decider and ingest targets add it.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from .mutate_values import BAD_BYTES, SPECIALS, date_values, size_values, type_values
from .valid import Draw, Obj, Seed, phi_value

AXES = ("type", "bound", "date", "size", "encoding", "nesting", "unknown", "missing", "line")
# Identifiers are opaque by contract and may be shown in refusals: PHI is never planted there.
ID_KEYS = {"event_id", "patient_id", "practice_id", "practitioner_id", "staff_id", "entry_id",
           "obtained_by", "care_plan_id", "billed_by", "claim_id", "actor", "correlation_id",
           "causation_id", "source"}  # fmt: skip
_DEEP = "\x1fdeep\x1f"  # a placeholder the nested text replaces
UNKNOWN_KEYS = ["mbi", "ssn", "patient_name", "dob", "note", "Name", "address", "phone"]


@dataclass
class Mutant:
    """One line to send: its bytes, the axis that made it, and the PHI it carries."""

    line: bytes
    axis: str
    phi: list[str] = field(default_factory=list)
    obj: Obj | None = None  # the JSON object before serialisation (None: the bytes were broken)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``value`` (dict keys and list indices)."""
    found: list[tuple[Any, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += paths(inner, (*prefix, index))
    return found


def _get(obj: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        obj = obj[part]
    return obj


def _set(obj: Any, path: tuple[Any, ...], value: Any) -> None:
    _get(obj, path[:-1])[path[-1]] = value


@st.composite
def mutant(draw: Draw, seed: Seed, now: datetime) -> Mutant:
    """One mutation of ``seed`` (a copy); ``now`` anchors the relative date mutations."""
    obj = copy.deepcopy(seed.obj)
    axis = draw(st.sampled_from(AXES))
    phi = list(seed.phi)
    where = draw(st.sampled_from([p for p in paths(obj) if p[0] != "type"]))
    safe = not any(str(part) in ID_KEYS for part in where)
    if axis == "type":
        value = draw(type_values(phi_value if safe else st.just("x y")))
        phi += [value] if safe and isinstance(value, str) and value.startswith(("Zq", "9S")) else []
        _set(obj, where, value)
    elif axis in ("bound", "size"):
        _set(obj, where, draw(size_values(_get(obj, where), huge=axis == "size")))
    elif axis == "date":
        _dates(draw, obj, now)
    elif axis == "encoding":
        return _encoded(draw, obj, phi, where)
    elif axis == "nesting":
        return _nested(draw, obj, phi, where)
    elif axis == "unknown":
        phi += _unknown(draw, obj)
    elif axis == "missing":
        del _get(obj, where[:-1])[where[-1]]
    else:
        return _line_level(draw, obj, phi)
    return Mutant(json.dumps(obj).encode(), axis, phi, obj)


def _dates(draw: Draw, obj: Obj, now: datetime) -> None:
    occurred = datetime.fromisoformat(obj["occurred_at"])
    dated = [k for k, v in obj.items() if isinstance(v, str) and k != "type" and _looks_dated(v)]
    target = draw(st.sampled_from(dated))
    _set(obj, (target,), draw(date_values(obj[target], occurred, now)))
    if draw(st.booleans()) and {"start", "end"} <= obj.keys() and target != "start":
        # stretch or invert the interval
        stretch = timedelta(minutes=draw(st.sampled_from([-1, 0, 1440, 1441, 7 * 1440])))
        obj["end"] = (datetime.fromisoformat(obj["start"]) + stretch).isoformat()


def _looks_dated(value: str) -> bool:
    return len(value) >= 10 and value[4] == "-" and value[7] == "-" and value[:4].isdigit()


def _nested(draw: Draw, obj: Obj, phi: list[str], where: tuple[Any, ...]) -> Mutant:
    """A known or unknown field holding arrays or objects nested ``depth`` deep (written as
    text: the encoder itself recurses)."""
    depth = draw(st.sampled_from([2, 20, 63, 65, 100, 300, 2000]))
    opened, closed = draw(st.sampled_from([("[", "]"), ('{"k": ', "}")]))
    _set(obj, where if draw(st.booleans()) else ("nested_note",), _DEEP)
    deep = opened * depth + '"Zq deep"' + closed * depth
    line = json.dumps(obj).replace(json.dumps(_DEEP), deep).encode()
    return Mutant(line, "nesting", phi, None)


def _unknown(draw: Draw, obj: Obj) -> list[str]:
    value = draw(phi_value)
    holder = draw(st.sampled_from([obj, *[v for v in obj.values() if isinstance(v, dict)]]))
    holder[draw(st.sampled_from(UNKNOWN_KEYS))] = value
    return [value]


def _encoded(draw: Draw, obj: Obj, phi: list[str], where: tuple[Any, ...]) -> Mutant:
    strings = [p for p in paths(obj) if isinstance(_get(obj, p), str) and p[0] != "type"]
    target = draw(st.sampled_from(strings))
    text: str = _get(obj, target)
    at = draw(st.integers(0, len(text)))
    _set(obj, target, text[:at] + draw(st.sampled_from(SPECIALS)) + text[at:])
    ascii_only = draw(st.booleans())
    line = json.dumps(obj, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    return Mutant(line, "encoding", phi, obj)


def _line_level(draw: Draw, obj: Obj, phi: list[str]) -> Mutant:
    """Whole-line damage: a BOM, CRLF, bytes that are not UTF-8, a cut line, not an object."""
    line = json.dumps(obj, ensure_ascii=False).encode()
    how = draw(st.sampled_from(["bom", "crlf", "bytes", "cut", "array", "blank-ish"]))
    if how == "bom":
        line = b"\xef\xbb\xbf" + line
    elif how == "crlf":
        line += b"\r"
    elif how == "bytes":
        at = draw(st.integers(0, len(line)))
        line = line[:at] + draw(st.sampled_from(BAD_BYTES)) + line[at:]
    elif how == "cut":
        line = line[: draw(st.integers(1, max(1, len(line) - 1)))]
    elif how == "array":
        line = b"[" + line + b"]"
    else:
        line = b" \t " + line + b" "
    return Mutant(line, "line", phi, None)
