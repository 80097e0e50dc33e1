"""One ADT message, read with hl7apy into the few fields the engine uses.

Patients are named only by PID-3 (repetitions of ``ID^^^AUTHORITY^TYPE``): each repetition whose
identifier type (CX-5) is ``MR`` or empty and that has an assigning authority (CX-4.1, else
CX-4.2) is a ``(system, value)`` pair looked up in ``patient_identifiers``. PID-5 (the name) and
every other demographic field are never read. hl7apy's exception texts may quote the message, so
only their kind is ever reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hl7apy.exceptions import HL7apyException
from hl7apy.parser import parse_message

from hl7_in import errors as E
from hl7_in.timestamps import BadTimestamp, parse_dtm
from upstream.identifiers import Identifier

SUPPORTED = frozenset({"A01", "A02", "A03", "A04", "A08", "A11", "A13"})
MAX_MESSAGE_BYTES = 1024 * 1024
MRN_TYPES = frozenset({"MR", ""})
_PV1_READ = frozenset({0, 2, 18, 44, 45})  # the segment name, patient class and type, the times


@dataclass(frozen=True)
class AdtMessage:
    """What the engine reads of an ADT message; times are aware."""

    control_id: str  # MSH-10
    trigger: str  # MSH-9.2 (or EVN-1)
    version: str  # MSH-12
    sending_application: str  # MSH-3
    sending_facility: str  # MSH-4
    sent_at: datetime | None  # MSH-7
    recorded_at: datetime | None  # EVN-2
    event_at: datetime | None  # EVN-6: when it happened, when the sender says so
    identifiers: tuple[Identifier, ...]  # PID-3
    patient_class: str  # PV1-2
    patient_type: str  # PV1-18
    admitted_at: datetime | None  # PV1-44
    discharged_at: datetime | None  # PV1-45

    @property
    def happened_at(self) -> datetime | None:
        """When the event happened: EVN-6, else EVN-2, else MSH-7."""
        return self.event_at or self.recorded_at or self.sent_at


@dataclass(frozen=True)
class Header:
    """MSH fields an ACK needs, read even when the rest of the message is refused."""

    control_id: str = ""
    trigger: str = ""
    version: str = "2.5.1"
    sending_application: str = ""
    sending_facility: str = ""


def normalise(raw: bytes) -> str:
    """The message as text with ``\\r`` between segments (files often use ``\\n``)."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise E.AdtError("AR", E.APPLICATION_ERROR, "", f"over {MAX_MESSAGE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # HL7's default character set is ASCII; 8859/1 is common
    segments = [s for s in text.replace("\r\n", "\r").replace("\n", "\r").split("\r") if s]
    return "\r".join(segments) + "\r"


def header(text: str) -> Header:
    """The MSH fields by plain splitting: an ACK must be possible for any message."""
    first = text.split("\r", 1)[0]
    if not first.startswith("MSH") or len(first) < 8:
        return Header()
    fields = first.split(first[3])

    def get(number: int) -> str:  # MSH-1 is the separator itself: MSH-n is fields[n - 1]
        return fields[number - 1] if len(fields) >= number else ""

    component = first[4]
    kind = get(9).split(component)
    return Header(
        control_id=get(10), trigger=kind[1] if len(kind) > 1 else "",
        version=get(12).split(component)[0] or "2.5.1",
        sending_application=get(3), sending_facility=get(4),
    )  # fmt: skip


def essential(text: str) -> str:
    """Only the segments read (MSH, EVN, PID, PV1), and PID only up to PID-3: demographics never
    reach the parser (and hl7apy's cost grows with every field it builds)."""
    if not text.startswith("MSH") or len(text) < 4:
        return text
    separator = text[3]
    kept = []
    for segment in text.rstrip("\r").split("\r"):
        name = segment[:3]
        if name == "PID":
            kept.append(separator.join(segment.split(separator)[:4]))
        elif name == "PV1":
            fields = segment.split(separator)
            kept.append(separator.join(f if i in _PV1_READ else "" for i, f in enumerate(fields)))
        elif name in ("MSH", "EVN"):
            kept.append(segment)
    return "\r".join(kept) + "\r"


def parse_adt(text: str, zone: str) -> AdtMessage:
    """The ADT message ``text`` (normalised) holds; ``AdtError`` for what the engine refuses."""
    message = _parse(essential(text))
    segments = {s.name: s for s in reversed(message.children)}  # the first of each name
    msh = segments["MSH"]
    kind = msh.msh_9.to_er7().split("^")
    if kind[0] != "ADT":
        raise E.AdtError("AR", E.UNSUPPORTED_MESSAGE_TYPE, "MSH-9", "only ADT messages are taken")
    trigger = kind[1] if len(kind) > 1 and kind[1] else _field(segments.get("EVN"), "evn_1")
    if trigger not in SUPPORTED:
        why = f"ADT event not supported (supported: {', '.join(sorted(SUPPORTED))})"
        raise E.AdtError("AR", E.UNSUPPORTED_EVENT_CODE, "MSH-9", why)
    evn, pv1 = segments.get("EVN"), segments.get("PV1")
    return AdtMessage(
        control_id=msh.msh_10.to_er7(), trigger=trigger, version=msh.msh_12.to_er7(),
        sending_application=msh.msh_3.to_er7(), sending_facility=msh.msh_4.to_er7(),
        sent_at=_moment(msh, "msh_7", "MSH-7", zone),
        recorded_at=_moment(evn, "evn_2", "EVN-2", zone),
        event_at=_moment(evn, "evn_6", "EVN-6", zone),
        identifiers=_identifiers(segments.get("PID")),
        patient_class=_field(pv1, "pv1_2").split("^")[0],
        patient_type=_field(pv1, "pv1_18").split("^")[0],
        admitted_at=_moment(pv1, "pv1_44", "PV1-44", zone),
        discharged_at=_moment(pv1, "pv1_45", "PV1-45", zone),
    )  # fmt: skip


def _parse(text: str) -> Any:
    if not text.startswith("MSH"):
        raise E.AdtError("AR", E.APPLICATION_ERROR, "MSH", "the message does not start with MSH")
    try:
        return parse_message(text, find_groups=False)
    except HL7apyException as exc:
        code = E.UNSUPPORTED_VERSION if type(exc).__name__ == "UnsupportedVersion" else None
        why = f"not readable as HL7v2 ({type(exc).__name__})"
        raise E.AdtError("AR", code or E.APPLICATION_ERROR, "MSH", why) from None


def _field(segment: Any, name: str) -> str:
    if segment is None:
        return ""
    value: str = getattr(segment, name).to_er7()
    return value


def _moment(segment: Any, name: str, location: str, zone: str) -> datetime | None:
    text = _field(segment, name).split("^")[0]  # TS in 2.3-2.5: time^precision
    if not text:
        return None
    try:
        return parse_dtm(text, zone)
    except BadTimestamp as exc:
        raise E.AdtError("AE", E.DATA_TYPE_ERROR, location, str(exc)) from None


def _identifiers(pid: Any) -> tuple[Identifier, ...]:
    if pid is None:
        return ()
    found: list[Identifier] = []
    for rep in pid.pid_3:
        value, kind = rep.cx_1.to_er7(), rep.cx_5.to_er7()
        system = rep.cx_4.hd_1.to_er7() or rep.cx_4.hd_2.to_er7()
        if value and system and kind in MRN_TYPES:
            found.append((system, value))
    return tuple(found)
