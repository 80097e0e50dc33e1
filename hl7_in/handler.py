"""One ADT message in, its ACK out: parse, match the patient, map, send, answer.

Used by the MLLP listener (``ccm hl7 listen``) per message, and by ``ccm ingest --format hl7``
(``events_of`` only: the feed then goes the ingest path). The patient is found only through
``patient_identifiers`` (PID-3): an unknown MRN creates nothing and is answered AE.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError

from care.policy import EDGE_POLICY
from events.plausible import implausible
from events.upstream import UpstreamEvent
from hl7_in import errors as E
from hl7_in.ack import ack, error_ack
from hl7_in.mapping import adt_events
from hl7_in.parse import Header, header, normalise, parse_adt
from upstream.client import EventRejected
from upstream.identifiers import AmbiguousIdentifiers, Identifier
from workflows.messages import Receipt

log = structlog.get_logger(__name__)

Resolve = Callable[[Sequence[Identifier]], Awaitable[str | None]]
Send = Callable[[list[UpstreamEvent]], Awaitable[Receipt]]
# Where in the message each contract field of a mapped event came from.
_LOCATIONS = {"admitted_at": "PV1-44", "discharged_at": "PV1-45", "occurred_at": "EVN-2",
              "patient_admitted.occurred_at": "PV1-44",
              "patient_discharged.occurred_at": "PV1-45"}  # fmt: skip


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class AdtMapper:
    """Message text → contract events for the patient its PID-3 names."""

    resolve: Resolve
    source: str = "hl7"
    zone: str = "America/New_York"
    clock: Callable[[], datetime] = field(default=_now)

    async def events_of(self, text: str) -> list[UpstreamEvent]:
        """The events of a normalised message; ``AdtError`` for anything refused."""
        message = parse_adt(text, self.zone)
        if not message.identifiers:
            why = "no MRN with an assigning authority (CX-4) and type MR"
            raise E.AdtError("AE", E.REQUIRED_FIELD_MISSING, "PID-3", why)
        try:
            patient_id = await self.resolve(message.identifiers)
        except AmbiguousIdentifiers:
            why = "the identifiers name more than one patient"
            raise E.AdtError("AE", E.UNKNOWN_KEY, "PID-3", why) from None
        if patient_id is None:
            why = "no patient is linked to these identifiers (ccm patients link)"
            raise E.AdtError("AE", E.UNKNOWN_KEY, "PID-3", why)
        events = adt_events(message, patient_id, self.source)
        now = self.clock()
        for event in events:
            window = implausible(event, now, EDGE_POLICY)
            if window is not None:
                reason = f"{event.type}.{window.field} {window.reason}"
                where = _LOCATIONS.get(reason.split(" ")[0], _LOCATIONS.get(window.field, ""))
                raise E.AdtError("AE", E.DATA_TYPE_ERROR, where, reason)
        return events


@dataclass
class AdtHandler:
    """Answers every message with an ACK; never raises for anything a message holds."""

    mapper: AdtMapper
    send: Send

    async def handle(self, raw: bytes) -> bytes:
        now, ack_id = self.mapper.clock(), uuid.uuid4().hex[:20]
        head = Header()
        try:
            text = normalise(raw)
            head = header(text)
            outcome = await self._process(text)
        except E.AdtError as error:
            log.info("adt refused", control_id=head.control_id[:40], ack=error.ack,
                     code=error.code, location=error.location)  # fmt: skip
            return error_ack(head, error, now, ack_id)
        except Exception as exc:  # the database gone, a bug: still an ACK, so the sender resends
            kind = type(exc).__name__
            log.error("adt not processed", control_id=head.control_id[:40], error=kind)
            why = "the engine could not process it; send the message again"
            return error_ack(head, E.AdtError("AR", E.APPLICATION_ERROR, "", why), now, ack_id)
        log.info("adt accepted", control_id=head.control_id[:40], outcome=outcome)
        return ack(head, "AA", outcome, now, ack_id)

    async def _process(self, text: str) -> str:
        events = await self.mapper.events_of(text)
        if not events:
            return "nothing to record: not an inpatient stay"
        try:
            receipt = await self.send(events)
        except EventRejected as exc:
            raise E.AdtError("AE", E.APPLICATION_ERROR, "", f"refused: {exc}") from None
        except (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError):
            why = "the engine is unavailable; send the message again"
            raise E.AdtError("AR", E.APPLICATION_ERROR, "", why) from None
        if receipt.refused:
            first = receipt.refused[0]
            why = f"refused: field {first.field}: {first.reason}"
            raise E.AdtError("AE", E.APPLICATION_ERROR, "", why)
        return f"recorded {len(receipt.recorded)}, already recorded {len(receipt.duplicates)}"
