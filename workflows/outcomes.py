"""What became of each delivered event, kept until the update that delivered it answers.

One outcome per *delivery* of a store key, in processing order: the same event twice in one
batch, or from two concurrent senders, gets two answers, each taken by its own update. Outcomes
are staged while the loop works and published only once what they describe is stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Literal

Outcome = Literal["recorded", "duplicate", "late"]


class Outcomes:
    def __init__(self) -> None:
        self.staged: dict[str, list[Outcome]] = {}
        self.published: dict[str, list[Outcome]] = {}

    def stage(self, key: str, outcome: Outcome) -> None:
        self.staged.setdefault(key, []).append(outcome)

    def publish(self) -> None:
        """Called after the events behind the staged outcomes were appended to the store."""
        for key, said in self.staged.items():
            self.published.setdefault(key, []).extend(said)
        self.staged.clear()

    def ready(self, keys: Sequence[str]) -> bool:
        return all(len(self.published.get(k, [])) >= n for k, n in Counter(keys).items())

    def take(self, keys: Sequence[str]) -> dict[Outcome, list[str]]:
        """Removes and returns one outcome per key delivery, grouped; requires ``ready(keys)``."""
        grouped: dict[Outcome, list[str]] = {"recorded": [], "duplicate": [], "late": []}
        for key in keys:
            queue = self.published[key]
            grouped[queue.pop(0)].append(key)
            if not queue:
                del self.published[key]
        return grouped
