"""The ACK every message gets: MSH, MSA (AA / AE / AR, the message's control id, the reason) and,
for AE / AR, an ERR segment (location, HL7 table 0357 code, severity, the reason).

Nothing of the message is echoed but its control id and its sender's application and facility
(MSH-3/4), all identifiers of systems, never of a person; the reason is the engine's own text.
"""

from __future__ import annotations

from datetime import datetime

from hl7_in.errors import ERROR_NAMES, AckCode, AdtError
from hl7_in.parse import Header

APPLICATION, FACILITY = "CCM", "CCM-ENGINE"
_DELIMITERS = str.maketrans(dict.fromkeys("|^~\\&\r\n", " "))


def _clean(text: str, limit: int = 200) -> str:
    """No delimiter or segment break can reach the ACK from any text put in it."""
    return text.translate(_DELIMITERS)[:limit]


def ack(header: Header, code: AckCode, text: str, now: datetime, ack_id: str) -> bytes:
    """The ACK of the message whose ``header`` is given, as ER7 bytes (segments end with \\r)."""
    return _segments(header, code, text, now, ack_id, None)


def error_ack(header: Header, error: AdtError, now: datetime, ack_id: str) -> bytes:
    """The AE / AR ACK for ``error``, with its ERR segment."""
    return _segments(header, error.ack, str(error), now, ack_id, error)


def _segments(
    header: Header, code: AckCode, text: str, now: datetime, ack_id: str, error: AdtError | None
) -> bytes:
    stamp = now.strftime("%Y%m%d%H%M%S%z")
    trigger = _clean(header.trigger, 3)
    msh = "|".join([
        "MSH", "^~\\&", APPLICATION, FACILITY, _clean(header.sending_application),
        _clean(header.sending_facility), stamp, "", f"ACK^{trigger}^ACK" if trigger else "ACK",
        _clean(ack_id, 20), "P", _clean(header.version, 10) or "2.5.1",
    ])  # fmt: skip
    segments = [msh, f"MSA|{code}|{_clean(header.control_id, 199)}|{_clean(text, 80)}"]
    if error is not None:
        location = _clean(error.location).replace("-", "^1^", 1) if error.location else ""
        name = ERROR_NAMES.get(error.code, "")
        segments.append(f"ERR||{location}|{error.code}^{name}^HL70357|E||||{_clean(text)}")
    return ("\r".join(segments) + "\r").encode("ascii", "replace")
