"""The contract's rules against the patient's history (README contract table: "the patient",
"enrolment", "identity", "before identification"), kept by the oracle's own bookkeeping of
what was accepted, never by reading the decider's state."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from events.identity import digest_of
from events.upstream import (
    ClaimAdjudicated,
    ConsentRecorded,
    PatientIdentified,
    TimeEntryVoided,
    TimeLogged,
    UpstreamEvent,
)

ZONE = ZoneInfo("America/New_York")


@dataclass
class Ledger:
    """One patient's accepted facts as the oracle sees them."""

    patient_id: str
    foreign: set[str] = field(default_factory=set)  # keys other patients hold
    keys: dict[str, bytes] = field(default_factory=dict)  # key -> digest, accepted here
    live: dict[str, str] = field(default_factory=dict)  # entry id -> key of its live entry
    known: set[str] = field(default_factory=set)  # every entry id ever logged
    identified: bool = False

    def expected(self, event: UpstreamEvent, claims: set[str], closed: set[str]) -> str | None:
        """ "duplicate", the field a refusal must name, or None (the rules allow it)."""
        key = event.store_key
        if event.patient_id != self.patient_id:
            return "patient_id"
        if key in self.foreign:
            return "event_id"
        if key in self.keys:
            return "duplicate" if self.keys[key] == digest_of(event) else "event_id"
        return self._rule(event, claims, closed)

    def _rule(self, event: UpstreamEvent, claims: set[str], closed: set[str]) -> str | None:
        if isinstance(event, ClaimAdjudicated) and event.claim_id not in claims:
            return "claim_id"
        if isinstance(event, TimeEntryVoided) and event.entry_id not in self.known:
            return "entry_id"
        if isinstance(event, TimeLogged):
            moment = event.at or event.start
            month = moment.astimezone(ZONE).strftime("%Y-%m") if moment else ""
            owner = self.live.get(event.entry_id)
            if month not in closed and owner not in (None, event.store_key):
                return "entry_id"
        if isinstance(event, ConsentRecorded) and not all(event.disclosures.model_dump().values()):
            return "disclosures"
        return None

    def accept(self, event: UpstreamEvent) -> None:
        self.keys[event.store_key] = digest_of(event)
        if isinstance(event, TimeLogged):
            self.live[event.entry_id] = event.store_key
            self.known.add(event.entry_id)
        elif isinstance(event, TimeEntryVoided):
            self.live.pop(event.entry_id, None)
        elif isinstance(event, PatientIdentified):
            self.identified = True
