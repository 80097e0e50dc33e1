"""How many examples each fuzz target draws: small in CI, ``CCM_FUZZ_EXAMPLES`` for a big run.

CI (unset): the whole fuzz suite runs in well under 90 s on two cores, derandomized so a run is
reproducible. ``CCM_FUZZ_EXAMPLES=2000 .venv/bin/pytest -q tests/fuzz`` draws that many per
target with a fresh seed, as a closing-note run does.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

BIG = os.environ.get("CCM_FUZZ_EXAMPLES")
EXAMPLES = int(BIG) if BIG else 300
# The ingest target sends every example in one feed; CI keeps it to a practice-sized file.
INGEST_EXAMPLES = int(BIG) if BIG else 200

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=BIG is None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# The decider target plays up to five deliveries per example through a whole patient history.
DECIDER = settings(FUZZ, max_examples=int(BIG) if BIG else 100)
COLLECT = settings(FUZZ, max_examples=INGEST_EXAMPLES)
