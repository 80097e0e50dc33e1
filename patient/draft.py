"""A decision in the making: the events decided so far and the state they lead to."""

from __future__ import annotations

from events.base import PatientEvent
from patient.evolve import evolve
from patient.state import Patient


class Draft:
    """Starts from a state, never changes it: ``add`` evolves a copy, so each rule sees what
    the events before it caused (a screening before the phase it opens)."""

    def __init__(self, state: Patient) -> None:
        self.state = state
        self.events: list[PatientEvent] = []

    def add(self, *events: PatientEvent) -> None:
        for event in events:
            self.state = evolve(self.state, event)
            self.events.append(event)
