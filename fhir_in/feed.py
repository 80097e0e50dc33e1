"""Reading FHIR input: a Bundle (transaction or batch) or NDJSON of resources → ``Item`` s, and
``ccm ingest --format fhir``'s feed (reject records numbered by entry, or by NDJSON line)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from care.policy import Policy
from events.plausible import implausible
from fhir_in.bundle import Item, Mapped, Refusal, map_items
from fhir_in.linking import Resolve, link_patients
from upstream.feed import MAX_LINE_BYTES, ParsedFeed, Rejection

BUNDLE_TYPES = ("transaction", "batch")


class BadInput(ValueError):
    """Not a Bundle of a taken type, or not JSON: the whole input is refused."""

    def __init__(self, expression: str, reason: str) -> None:
        super().__init__(f"{expression}: {reason}")
        self.expression = expression
        self.reason = reason


def bundle_items(data: Any) -> tuple[str, list[Item]]:
    """``(Bundle.type, its entries as items)``; ``BadInput`` when it is not a taken Bundle."""
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise BadInput("Bundle", "the body must be a Bundle resource")
    kind = data.get("type")
    if kind not in BUNDLE_TYPES:
        raise BadInput("Bundle.type", "must be transaction or batch")
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        raise BadInput("Bundle.entry", "must be a list")
    items = []
    for number, raw in enumerate(entries, start=1):
        entry: dict[str, Any] = raw if isinstance(raw, dict) else {}
        request, resource = _object(entry.get("request")), _object(entry.get("resource"))
        full_url, method = _text(entry.get("fullUrl")), _text(request.get("method"))
        items.append(Item(number, resource, full_url, method))
    return str(kind), items


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def ndjson_items(data: bytes) -> tuple[list[Item], list[Rejection]]:
    """One resource per line; a line that is not a JSON object is refused by its number."""
    items, rejected = [], []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_BYTES:
            rejected.append(Rejection(number, "(line)", f"over the {MAX_LINE_BYTES}-byte limit"))
            continue
        try:
            resource = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            rejected.append(Rejection(number, "(line)", "not a JSON resource"))
            continue
        if not isinstance(resource, dict):
            rejected.append(Rejection(number, "(line)", "not a JSON object"))
            continue
        items.append(Item(number, resource))
    return items, rejected


def within_windows(mapped: Mapped, now: datetime, policy: Policy) -> Mapped:
    """``mapped`` less events outside the contract's date windows (each refused by entry)."""
    kept = Mapped(entries_of=mapped.entries_of, refused=list(mapped.refused))
    for number, event in mapped.events:
        window = implausible(event, now, policy)
        if window is None:
            kept.events.append((number, event))
        else:
            reason = f"{event.type}.{window.field} {window.reason}"
            kept.refused.append(Refusal(number, "(mapped event)", window.field, reason))
    return kept


async def read_fhir_feed(
    data: bytes, source: str, now: datetime, policy: Policy, resolve: Resolve | None = None
) -> ParsedFeed:
    """A Bundle JSON file or NDJSON of resources as a feed; ``line`` is the entry number (a
    Bundle) or the line (NDJSON). ``resolve``: patients named by a linked identifier (MRN)."""
    feed = ParsedFeed()
    atomic = False
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        parsed = None
    if isinstance(parsed, dict) and parsed.get("resourceType") == "Bundle":
        try:
            kind, items = bundle_items(parsed)
        except BadInput as exc:
            feed.rejected.append(Rejection(1, exc.expression, exc.reason))
            return feed
        atomic = kind == "transaction"
    else:
        items, feed.rejected = ndjson_items(data)
    if resolve is not None:
        items = await link_patients(items, resolve)
    mapped = within_windows(map_items(items, source, atomic=atomic), now, policy)
    feed.events = list(mapped.events)
    feed.rejected += [Rejection(r.entry, r.expression, f"{r.resource}: {r.reason}")
                      for r in mapped.refused]  # fmt: skip
    return feed
