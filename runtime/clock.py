"""The wall clock, read in one place: only commands ask it, never rules, workflows or generators."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def practice_today(timezone: str) -> date:
    """Today's date in the practice's time zone (months are the practice's calendar months)."""
    return datetime.now(ZoneInfo(timezone)).date()
