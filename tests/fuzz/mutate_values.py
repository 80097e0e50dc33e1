"""The values mutations draw from: wrong JSON types, bounds on either side, dates out of every
window and in every non-ISO form, special characters and bytes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st

SPECIALS = ["\u2028", "\u2029", "\u0085", "\u0000", "\ufeff", "\u001b", "\u007f", "\u0090",
            "\t", "\r", "\n", "\ud800", "\udfff", "\u200b", "\u202e", "é",
            "\U0001f600"]  # fmt: skip
BAD_BYTES = [b"\xff", b"\xc3\x28", b"\xe2\x80", b"\xed\xa0\x80", b"\xc0\xaf", b"\x00"]
_TYPES: list[Any] = [None, True, False, 0, -1, 1, 1.0, 1.5, 1e20, 10**20, float("inf"), "", "12",
                     " 7 ", "yes", "true", [], {}, [1], {"a": 1}, "1772722800", 1772722800,
                     1772722800.5]  # fmt: skip
_LENGTHS = [0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 199, 200, 201, 499, 500, 501]
_NUMBERS: list[Any] = [0, 1, 1440, 1441, -1, 0.001, 99999.99, 100000, "99999.999", "0.00", -0.01,
                       "51.850", "1e2", " 5", "+5", "5_000", "-0", 51.855]  # fmt: skip
_FORMS = ["2026-03-05 10:00:00Z", "2026-03-05t10:00:00z", "2026-03-05T10:00:00+0500",
          "2026-03-05T10:00:00-05", "2026-03-05T10:00:00.123456789Z", "2026-03-05T10:00Z",
          "2026-03-05T24:00:00Z", "2026-02-30T10:00:00Z", "2026-03-05T10:00:00+14:01",
          "2026-03-05T10:00:00-12:00", "2026-03-05", "20260305", "1772722800", "2026-064",
          "2026-3-5", "2026-03-05T10:00:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
          "1899-12-31T23:00:00Z", "2101-01-01T00:00:00Z", "0000-01", "2026-13", "2014-12",
          "0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"]  # fmt: skip


def type_values(phi: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(_TYPES), phi)


def size_values(current: Any, huge: bool) -> st.SearchStrategy[Any]:
    """Values at and past the bounds of ``current``'s kind; ``huge``: past every line limit."""
    if huge:
        return st.sampled_from(["x" * 300_000, ["x" * 500] * 101, ["E11.9"] * 51, "y" * 5000])
    if isinstance(current, list):
        return st.integers(0, 101).map(lambda n: (current[:1] or ["x"]) * n)
    if isinstance(current, bool) or not isinstance(current, int | float | str):
        return st.sampled_from(_NUMBERS)
    if isinstance(current, str):
        return st.sampled_from(_LENGTHS).map(lambda n: (current[:1] or "x") * n)
    return st.sampled_from(_NUMBERS)


def date_values(current: str, occurred: datetime, now: datetime) -> st.SearchStrategy[str]:
    """Forms that are not ISO 8601 with an offset, and moments just inside and outside each
    window (the clock's and the documentation lag's), as ``current`` is written (date or time)."""
    edges = [timedelta(minutes=m) for m in (-6, -4, 4, 6)] + [
        timedelta(days=d) for d in (-731, -729, -366, -364, 1, 2, 3650, -3650)
    ]
    anchors = [now, occurred]

    def shifted(pair: tuple[datetime, timedelta]) -> str:
        moment = pair[0] + pair[1]
        return moment.date().isoformat() if len(current) == 10 else moment.isoformat()

    relative = st.tuples(st.sampled_from(anchors), st.sampled_from(edges)).map(shifted)
    return st.one_of(st.sampled_from(_FORMS), relative)
