"""Fuzz target (b): the workflow's update validator and the decider (``patient.validate``,
``patient.decide``), through a pure host that sequences them as the recorder does.

A patient with a billed month (and, in a second run, a patient never identified) is sent batches
of contract-valid mutants and history-aimed events. Asserted: nothing but ``Refused`` escapes
(no wedged patient); every event the state oracle forbids is refused, naming its field; a
re-send is a duplicate, never recorded twice; refusals name a field and echo no PHI; and a valid
event sent after the mutants is recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import event, given
from hypothesis import strategies as st

from events.upstream import UpstreamEvent
from tests.workflow.builders import Life, in_month

from .host import Host, Outcome
from .oracle_state import Ledger
from .settings import DECIDER
from .state_mutants import OTHER, PID, batch, parsed, timed

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def _history(host: Host, ledger: Ledger, identified: bool) -> list[UpstreamEvent]:
    p = Life(PID)
    facts = [*p.enrolled(in_month("2026-02", 2))] if identified else []
    facts += [timed("t-h1", in_month("2026-02", 9), 25, NOW),
              timed("t-h2", in_month("2026-03", 2), 5, NOW)]  # fmt: skip
    for fact in facts:
        [outcome] = host.deliver([fact], NOW)
        assert outcome.kind == "recorded", outcome
        ledger.accept(fact)
    host.tick(NOW)
    return facts


def _check(outcome: Outcome, expected: str | None, phi: list[str]) -> None:
    event(f"{outcome.kind} (oracle: {expected or 'allowed'})")
    if outcome.kind == "held back":
        return
    if expected == "duplicate":
        assert outcome.kind not in ("recorded", "late"), "a re-send was recorded again"
    elif expected is not None:
        assert outcome.kind == "refused", f"accepted though forbidden ({expected})"
    if outcome.kind == "refused":
        assert outcome.field, "a refusal must name its field"
        assert (
            expected in (None, "duplicate")
            or outcome.field.startswith(expected)
            or (
                outcome.field == "event_id"  # the whole batch refused for another event's id
            )
        ), (outcome, expected)
        assert not [v for v in phi if v in outcome.reason + outcome.field], "PHI echoed"


def _valid_after(host: Host) -> None:
    at = NOW - timedelta(minutes=30)
    [last] = host.deliver([timed("t-after", at, 7, NOW)], NOW)
    assert last.kind == "recorded", f"the patient is wedged: {last}"


@DECIDER
@given(st.booleans(), st.data())
def test_the_decider_refuses_what_the_history_forbids_and_never_wedges(
    identified: bool, data: st.DataObject
) -> None:
    store: dict[str, tuple[str, bytes]] = {}
    other = Host(OTHER, store)
    foreign = parsed({"type": "consent_revoked", "event_id": "fz-foreign", "patient_id": OTHER,
                      "occurred_at": NOW.isoformat(), "meta": {"source": "ehr"}}, NOW)  # fmt: skip
    assert other.deliver(foreign, NOW)[0].kind == "recorded"
    host = Host(PID, store)
    ledger = Ledger(PID, foreign={e.store_key for e in foreign})
    history = _history(host, ledger, identified)
    for _ in range(data.draw(st.integers(1, 5))):
        events, phi = data.draw(batch(history, NOW))
        if not events:
            continue
        for sent, outcome in zip(events, host.deliver(events, NOW), strict=True):
            _check(outcome, ledger.expected(sent, host.claims, host.closed), phi)
            if outcome.kind in ("recorded", "late"):
                ledger.accept(sent)
    if not identified:
        [named] = host.deliver([Life(PID).identified(NOW - timedelta(hours=1), ["E11.9"])], NOW)
        assert named.kind in ("recorded", "duplicate"), named
    _valid_after(host)
