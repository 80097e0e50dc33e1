"""HL7v2 timestamps (DTM / TS: ``YYYYMMDDHHMM[SS[.S…]][+/-ZZZZ]``) as aware datetimes.

A moment of care needs at least the minute. Without an offset the sender's clock is taken to be
the practice's time zone (the usual case for a hospital in the practice's area).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

_DTM = re.compile(
    r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d{1,4})?(?:([+-])(\d{2})(\d{2}))?$"
)


class BadTimestamp(ValueError):
    """Not an HL7 timestamp to the minute (the value is never in the message)."""


def parse_dtm(text: str, default_zone: str) -> datetime:
    """The moment ``text`` names; ``BadTimestamp`` when it is not one."""
    found = _DTM.match(text.strip())
    if found is None:
        raise BadTimestamp("not a timestamp YYYYMMDDHHMM[SS][+/-ZZZZ]")
    year, month, day, hour, minute, second, sign, oh, om = found.groups()
    if sign is None:
        zone: timezone | ZoneInfo = ZoneInfo(default_zone)
    else:
        offset = timedelta(hours=int(oh), minutes=int(om))
        zone = timezone(offset if sign == "+" else -offset)
    try:
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=zone
        )
    except ValueError:
        raise BadTimestamp("not a calendar date and time") from None
