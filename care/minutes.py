"""Which minutes count: each entry is counted, cut, or excluded with its reason (§4).

Sources: MLN909188 (who counts, consent, inpatient, other services); CMS CCM FAQ 2017 (the billing
practitioner's own time counts; overlapping time counts once; no rounding).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from care.decision import ExcludedEntry
from care.decision import ExclusionReason as R
from care.facts import TimeEntry
from care.months import EARLIEST
from care.windows import Window

COUNTING_ROLES = ("clinical_staff", "practitioner")


@dataclass(frozen=True)
class CountedPiece:
    """Counted time of one entry: ``seconds`` from ``start`` (a minutes entry is one piece)."""

    entry_id: str
    role: str
    start: datetime
    seconds: int


@dataclass(frozen=True)
class CountedTime:
    """The month's counted pieces (in time order) and every exclusion (by entry, reason)."""

    pieces: tuple[CountedPiece, ...]
    excluded: tuple[ExcludedEntry, ...]

    def minutes(self, role: str | None = None) -> int:
        """Whole counted minutes, all roles pooled or one role; never rounded up (MLN909188)."""
        return sum(p.seconds for p in self.pieces if role in (None, p.role)) // 60

    def minutes_by_role(self) -> dict[str, int]:
        return {role: self.minutes(role) for role in COUNTING_ROLES}


Cut = dict[tuple[str, R], int]  # (entry id, reason) -> seconds removed


def count_time(entries: Sequence[TimeEntry], windows: Sequence[Window]) -> CountedTime:
    """Applies the whole-entry rules, then the windows, then counts overlapping intervals once.

    Deterministic and order-independent: the result depends on the entries, not their order.
    """
    cut: Cut = defaultdict(int)
    points: list[CountedPiece] = []
    spans: list[tuple[datetime, datetime, TimeEntry]] = []
    for entry in entries:
        whole = _whole_entry_reason(entry)
        if whole is not None:
            cut[(entry.id, whole)] += _entry_seconds(entry)
        elif entry.start is not None and entry.end is not None:
            kept = _clip(entry.id, entry.start, entry.end, windows, cut)
            spans.extend((s, e, entry) for s, e in kept)
        else:
            _count_point(entry, windows, cut, points)
    pieces = [*points, *_union(spans, cut)]
    pieces.sort(key=lambda p: (p.start, p.entry_id))
    excluded = [ExcludedEntry(entry=i, reason=r, minutes=s // 60) for (i, r), s in cut.items()]
    excluded.sort(key=lambda x: (x.entry, x.reason.value))
    return CountedTime(pieces=tuple(pieces), excluded=tuple(excluded))


def _whole_entry_reason(entry: TimeEntry) -> R | None:
    # Non-clinical staff never count; time already counted toward E/M, TCM, RPM or BHI is never
    # counted again (MLN909188).
    if entry.role == "non_clinical":
        return R.non_clinical_role
    if entry.counted_toward is not None:
        return R(f"counted_toward_{entry.counted_toward}")
    return None


def _entry_seconds(entry: TimeEntry) -> int:
    if entry.start is not None and entry.end is not None:
        return int((entry.end - entry.start).total_seconds())
    return (entry.minutes or 0) * 60


def _count_point(
    entry: TimeEntry, windows: Iterable[Window], cut: Cut, out: list[CountedPiece]
) -> None:
    """A minutes-at entry is judged whole by its ``at`` moment."""
    assert entry.at is not None and entry.minutes is not None  # guaranteed by TimeEntry
    reason = next((w.reason for w in windows if w.contains(entry.at)), None)
    if reason is None:
        out.append(CountedPiece(entry.id, entry.role, entry.at, entry.minutes * 60))
    else:
        cut[(entry.id, reason)] += entry.minutes * 60


def _clip(
    entry_id: str, start: datetime, end: datetime, windows: Iterable[Window], cut: Cut
) -> list[tuple[datetime, datetime]]:
    """The parts of ``[start, end)`` outside every window; removed time goes to ``cut``."""
    kept = [(start, end)]
    for w in windows:
        rest: list[tuple[datetime, datetime]] = []
        for s, e in kept:
            lo, hi = max(s, w.start), min(e, w.end)
            if lo >= hi:
                rest.append((s, e))
                continue
            cut[(entry_id, w.reason)] += int((hi - lo).total_seconds())
            rest.extend(part for part in ((s, lo), (hi, e)) if part[0] < part[1])
        kept = rest
    return kept


def _union(spans: list[tuple[datetime, datetime, TimeEntry]], cut: Cut) -> list[CountedPiece]:
    """Overlapping intervals count once (CMS CCM FAQ 2017): in time order (ties by id), the
    earlier entry keeps the shared time and the later one is cut as ``overlaps_counted_entry``."""
    pieces: list[CountedPiece] = []
    covered_to = EARLIEST
    for s, e, entry in sorted(spans, key=lambda t: (t[0], t[1], t[2].id)):
        begin = max(s, covered_to)
        if begin > s:
            cut[(entry.id, R.overlaps_counted_entry)] += int((min(begin, e) - s).total_seconds())
        if begin < e:
            seconds = int((e - begin).total_seconds())
            pieces.append(CountedPiece(entry.id, entry.role, begin, seconds))
        covered_to = max(covered_to, e)
    return pieces


def crossing_moment(
    pieces: Sequence[CountedPiece], roles: Sequence[str], minutes: int
) -> datetime | None:
    """When the pieces of ``roles`` first add up to ``minutes`` (for billing on that day)."""
    needed = minutes * 60
    for piece in pieces:
        if piece.role not in roles:
            continue
        if piece.seconds >= needed:
            return piece.start + timedelta(seconds=needed)
        needed -= piece.seconds
    return None
