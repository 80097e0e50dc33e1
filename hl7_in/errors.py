"""Why a message was not (fully) accepted, in HL7's own terms: the ACK code, an error code of
HL7 table 0357, where (segment and field) and a reason that never holds a value of the message."""

from __future__ import annotations

from typing import Literal

AckCode = Literal["AA", "AE", "AR"]

# HL7 table 0357 (message error condition codes) used here.
REQUIRED_FIELD_MISSING = "101"
DATA_TYPE_ERROR = "102"
UNSUPPORTED_MESSAGE_TYPE = "200"
UNSUPPORTED_EVENT_CODE = "201"
UNSUPPORTED_VERSION = "203"
UNKNOWN_KEY = "204"
APPLICATION_ERROR = "207"

ERROR_NAMES = {
    REQUIRED_FIELD_MISSING: "Required field missing",
    DATA_TYPE_ERROR: "Data type error",
    UNSUPPORTED_MESSAGE_TYPE: "Unsupported message type",
    UNSUPPORTED_EVENT_CODE: "Unsupported event code",
    UNSUPPORTED_VERSION: "Unsupported version id",
    UNKNOWN_KEY: "Unknown key identifier",
    APPLICATION_ERROR: "Application internal error",
}


class AdtError(Exception):
    """A message the engine refuses. ``ack`` AR: it cannot be processed at all (not ADT, not a
    supported event, unreadable, or the engine is down: send again later); AE: it was read but
    names no known patient or lacks what the event needs (fix it, then send again)."""

    def __init__(self, ack: AckCode, code: str, location: str, reason: str) -> None:
        super().__init__(f"{location or 'message'}: {reason}")
        self.ack = ack
        self.code = code
        self.location = location  # e.g. "PID-3", "PV1-44", or "" for the whole message
        self.reason = reason
