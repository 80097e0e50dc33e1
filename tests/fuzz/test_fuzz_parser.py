"""Fuzz target (a): the JSONL parser (``upstream.feed``), judged by the independent oracle.

Every mutant is parsed as line 1 or line 2 of a feed (a BOM is legal only on line 1) after a
valid line. Asserted: the valid line is always kept; a mutant the oracle refuses is refused, one
it accepts is accepted (none wrongly accepted, none wrongly refused); each refusal names a field
the oracle also names; nothing raises; no PHI-looking value appears in a refusal.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import event, given
from hypothesis import strategies as st

from care.policy import Policy
from upstream.feed import read_feed

from .mutate import Mutant, mutant
from .oracle import ANY, judge
from .settings import FUZZ
from .valid import Draw, Seed, valid_event

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
POLICY = Policy()


@st.composite
def case(draw: Draw) -> tuple[Seed, Mutant, bool]:
    seed = draw(valid_event("p-fuzz", NOW, max_age_days=700))
    return seed, draw(mutant(seed, NOW)), draw(st.booleans())


@FUZZ
@given(case())
def test_the_parser_refuses_exactly_what_the_contract_forbids(
    drawn: tuple[Seed, Mutant, bool],
) -> None:
    seed, bad, first = drawn
    good = json.dumps(seed.obj).encode()
    data = bad.line + b"\n" + good if first else good + b"\n" + bad.line
    number = 1 if first else 2
    feed = read_feed(data, NOW, POLICY)
    verdict = judge(bad.line, number, NOW, POLICY)
    kept = [n for n, _ in feed.events]
    assert (3 - number) in kept, "the valid line was lost"
    event(f"{bad.axis}: {'valid' if verdict.ok else 'refused'}")
    if verdict.ok:
        assert number in kept, f"refused though valid: {feed.rejected}"
        return
    assert number not in kept, f"accepted though the contract forbids it ({verdict.fields})"
    [refusal] = feed.rejected
    assert refusal.line == number and refusal.field
    assert refusal.field in verdict.fields or ANY in verdict.fields, (refusal, verdict.fields)
    shown = refusal.field + refusal.reason
    assert not [p for p in bad.phi if p in shown], "PHI echoed"
