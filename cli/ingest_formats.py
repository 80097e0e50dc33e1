"""What ``ccm ingest --format`` reads: JSONL events (the contract itself), a FHIR R4 Bundle or
NDJSON of resources (fhir_in/), or a file of HL7v2 ADT messages (hl7_in/). Each becomes the same
``ParsedFeed``, so every format has the ingest path's batching, reject file and summary."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from functools import partial

from care.policy import EDGE_POLICY
from cli.pools import database_pool
from cli.sources import source_name
from fhir_in.feed import read_fhir_feed
from hl7_in.feed import read_hl7_feed
from hl7_in.handler import AdtMapper
from runtime.settings import Settings
from upstream.feed import ParsedFeed, read_feed
from upstream.identifiers import resolve

FORMATS = ("jsonl", "fhir", "hl7")


def add_format_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="jsonl",
                   help="jsonl (contract events, default), fhir (a Bundle or NDJSON of "
                        "resources), hl7 (ADT messages)")  # fmt: skip
    source = "meta.source of events mapped from fhir / hl7 (default: the format's name)"
    p.add_argument("--source", type=source_name, help=source)


async def read_any(args: argparse.Namespace, data: bytes, settings: Settings) -> ParsedFeed:
    """The feed ``data`` holds in ``args.format``; hl7 and fhir read ``patient_identifiers``
    (as the app role) to find patients named by an MRN."""
    now = datetime.now(UTC)
    if args.format == "hl7":
        async with database_pool(settings, "app") as pool:
            mapper = AdtMapper(partial(resolve, pool), args.source or "hl7",
                               settings.practice_timezone, clock=lambda: now)  # fmt: skip
            return await read_hl7_feed(data, mapper)
    if args.format == "fhir":
        async with database_pool(settings, "app") as pool:
            return await read_fhir_feed(data, args.source or "fhir", now, EDGE_POLICY,
                                        partial(resolve, pool))  # fmt: skip
    return read_feed(data, now, EDGE_POLICY)
