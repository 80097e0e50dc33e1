"""``ccm ingest --format hl7 FILE``: a file of ADT messages as a feed for the ingest path.

The file holds messages one after another, each starting at a line that begins with ``MSH``
(segments split by CR, LF or CRLF), optionally MLLP-framed (a capture of a listener's traffic).
A refused message becomes a reject record whose ``line`` is the line its MSH starts on, with the
ACK it would have got (``AE``/``AR``) and the reason; never a value of the message.
"""

from __future__ import annotations

import re

from hl7_in.errors import AdtError
from hl7_in.handler import AdtMapper
from hl7_in.parse import normalise
from upstream.feed import ParsedFeed, Rejection

_FRAMING = re.compile(rb"[\x0b\x1c]")


def split_messages(data: bytes) -> list[tuple[int, bytes]]:
    """``(line number of its MSH, message bytes)`` for each message in the file."""
    messages: list[tuple[int, list[bytes]]] = []
    lines = _FRAMING.sub(b"\n", data).replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    for number, line in enumerate(lines, start=1):
        if line.startswith(b"MSH"):
            messages.append((number, [line]))
        elif line.strip() and messages:
            messages[-1][1].append(line)
    return [(number, b"\r".join(segments) + b"\r") for number, segments in messages]


async def read_hl7_feed(data: bytes, mapper: AdtMapper) -> ParsedFeed:
    """Every message mapped to events in file order; refused messages set aside by line."""
    feed = ParsedFeed()
    if data.strip() and not split_messages(data):
        feed.rejected.append(Rejection(1, "(file)", "AR: no message starts with MSH"))
    for number, raw in split_messages(data):
        try:
            events = await mapper.events_of(normalise(raw))
        except AdtError as exc:
            feed.rejected.append(
                Rejection(number, exc.location or "(message)", f"{exc.ack}: {exc.reason}")
            )
            continue
        feed.events += [(number, event) for event in events]
    return feed
