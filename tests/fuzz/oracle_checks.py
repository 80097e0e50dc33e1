"""The contract's value rules (README contract table), one small check each, for the oracle.

A check takes a JSON value and its dotted path and returns the paths that break a rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

Check = Callable[[Any, str], list[str]]
_STAMP = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?(?:Z|([+-])(\d\d):(\d\d))"
)
_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)")
_PLAIN_AMOUNT = re.compile(r"(?:0|[1-9]\d{0,4})(?:\.\d{1,2})?")
BREAKS = "\t\n\r\x85\u2028\u2029"  # what free text (plan items) may hold


def _is(pred: Callable[[Any], bool]) -> Check:
    return lambda v, path: [] if pred(v) else [path]


def _int(v: Any) -> bool:
    return type(v) is int


def _text(limit: int, breaks: str = "") -> Check:
    def check(v: Any, path: str) -> list[str]:
        if not isinstance(v, str) or not 1 <= len(v) <= limit:
            return [path]
        for ch in v:
            o = ord(ch)
            if 0xD800 <= o <= 0xDFFF:
                return [path, "(event)"]  # JSON decoders refuse a lone surrogate outright
            if (o < 0x20 or 0x7F <= o <= 0x9F or ch in "\u2028\u2029") and ch not in breaks:
                return [path]
        return []

    return check


def _stamp(v: Any) -> bool:
    m = _STAMP.fullmatch(v) if isinstance(v, str) else None
    if m is None:
        return False
    y, mo, d, h, mi, s, _, _, oh, om = (int(g) if g and g.isdigit() else 0 for g in m.groups())
    try:
        datetime(y, mo, d, h, mi, s)
    except ValueError:
        return False
    return 1900 <= y <= 2100 and timedelta(hours=oh, minutes=om) <= timedelta(hours=14)


def _day(v: Any) -> bool:
    m = _DATE.fullmatch(v) if isinstance(v, str) else None
    try:
        return m is not None and 1900 <= date(*map(int, m.groups())).year <= 2100
    except ValueError:
        return False


def _money(v: Any) -> bool:
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        return False
    if isinstance(v, str) and not _PLAIN_AMOUNT.fullmatch(v):
        return False
    amount = Decimal(repr(v) if isinstance(v, float) else str(v))
    if not amount.is_finite():
        return False
    exponent = amount.as_tuple().exponent
    return 0 <= amount <= Decimal("99999.99") and isinstance(exponent, int) and exponent >= -2


def _month(v: Any) -> bool:
    ok = isinstance(v, str) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", v) is not None
    return ok and 2015 <= int(v[:4]) <= 2100


def _one_of(*values: str) -> Check:
    return _is(lambda v: isinstance(v, str) and v in values)


def _list(item: Check, low: int, high: int) -> Check:
    def check(v: Any, path: str) -> list[str]:
        if not isinstance(v, list) or not low <= len(v) <= high:
            return [path]
        return [p for i, x in enumerate(v) for p in item(x, f"{path}.{i}")]

    return check


def _object(spec: dict[str, tuple[str, Check]]) -> Check:
    """``spec``: name -> (R required / O optional, not null / N optional, may be null, check)."""

    def check(v: Any, path: str) -> list[str]:
        if not isinstance(v, dict):
            return [path or "(event)"]
        found: list[str] = []
        for key, value in v.items():
            where = f"{path}.{key}" if path else key
            if key not in spec:
                found.append(where)
            elif not (value is None and spec[key][0] == "N"):
                found += spec[key][1](value, where)
        found += [f"{path}.{k}" if path else k for k, (m, _) in spec.items()
                  if m == "R" and k not in v]  # fmt: skip
        return found

    return check
