"""The chronic-condition table (``care/data/chronic_conditions.csv``): diagnosis -> condition.

CMS publishes no official CCM code list (MLN909188); the table is a screening heuristic by
ICD-10-CM category that a clinician confirms, kept as data so it changes without code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from care.datafiles import read_table
from care.icd10 import dotless


@dataclass(frozen=True)
class ConditionRow:
    """One row: dotless prefixes ``low``..``high`` (same length) name ``condition``."""

    low: str
    high: str
    condition: str
    note: str

    def matches(self, code_dotless: str) -> bool:
        return self.low <= code_dotless[: len(self.low)] <= self.high


def _load() -> tuple[ConditionRow, ...]:
    rows = read_table("chronic_conditions.csv")
    return tuple(ConditionRow(r["from"], r["to"], r["condition"], r["note"]) for r in rows)


# Read at import, so code running in a Temporal workflow sandbox never does file I/O.
_TABLE = _load()


def condition_table() -> tuple[ConditionRow, ...]:
    """The packaged table, read once at import."""
    return _TABLE


def condition_row_for(code: str) -> ConditionRow | None:
    """The row a diagnosis falls in, or None; raises ``InvalidDiagnosisCode`` if malformed.

    The longest matching prefix wins, so a sub-category row (I70.2) beats a category row.
    """
    key = dotless(code)
    found = [row for row in condition_table() if row.matches(key)]
    return max(found, key=lambda row: len(row.low)) if found else None


def distinct_conditions(codes: Sequence[str]) -> list[str]:
    """Sorted distinct condition names: E11.9 and E11.65 are one condition (diabetes)."""
    names = {row.condition for row in map(condition_row_for, codes) if row is not None}
    return sorted(names)
