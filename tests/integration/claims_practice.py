"""A small synthetic practice for the claims tests: closed months in the store, their claims in
the outbox (as the month close writes them), and fake demographics (names, MBIs) for the 837P."""

from __future__ import annotations

from datetime import date

from activities.clearinghouse import OutboxClearinghouse
from bench.synthetic import patient_history
from events.base import PatientEvent, stream_for
from events.decisions import ClaimPrepared
from events.store import EventStore
from events.upstream import Address, ClaimAdjudicated, Demographics, PatientIdentified
from upstream.synth.roster import fake_mbi

PATIENTS = 4
FIRST_MONTH = "2025-01"


def _with_demographics(e: PatientEvent, i: int) -> PatientEvent:
    if not isinstance(e, PatientIdentified):
        return e
    # Even patients have a (fake) address and sex; odd ones were identified before either existed.
    address = Address(line1=f"{i} Synthetic Way", city="Testville", state="MD", zip="21244")
    fake = Demographics(name=f"Ann{i} Synth-Tester", birth_date=date(1950, 1, 1 + i),
                        mbi=fake_mbi(5, i), address=address if i % 2 == 0 else None,
                        sex="F" if i % 2 == 0 else None)  # fmt: skip
    return e.model_copy(update={"demographics": fake})


async def practice(store: EventStore, patients: int = PATIENTS) -> list[ClaimPrepared]:
    """Stores ``patients`` patients with three closed months each (no remittances: those come
    from the 835s under test) and writes every prepared claim to the outbox; returns them."""
    outbox = OutboxClearinghouse(store.pool)
    claims: list[ClaimPrepared] = []
    for i in range(patients):
        history = patient_history(f"p{i}", FIRST_MONTH, 3, seed=5)
        events = [_with_demographics(e, i) for e in history if not isinstance(e, ClaimAdjudicated)]
        await store.append(stream_for(events[0].patient_id), events, expected_version=0)
        for e in events:
            if isinstance(e, ClaimPrepared):
                await outbox.submit(e)
                claims.append(e)
    return claims
