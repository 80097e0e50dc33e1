"""Benchmark (not a test): the cost of the edge, mapping only (no network, no engine).

    .venv/bin/python bench/interfaces.py [--messages 2000] [--bundles 300]

Times HL7v2 ADT messages read with hl7apy and mapped (``hl7_in``), each with its ACK, and FHIR
Bundles (a patient, two conditions, a coverage, a consent, a care plan, a stay and a time
entry) validated with fhir.resources' R4B models and mapped (``fhir_in``). Prints per second.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fhir_in.bundle import map_items
from fhir_in.feed import bundle_items
from hl7_in.ack import ack
from hl7_in.handler import AdtMapper
from hl7_in.parse import header, normalise
from tests.unit import fhir_resources as fr
from tests.unit.hl7_messages import adt
from upstream.identifiers import Identifier

NOW = datetime(2026, 12, 1, tzinfo=UTC)


async def _linked(identifiers: Sequence[Identifier]) -> str:
    return "p-0001"


async def hl7(count: int) -> float:
    mapper = AdtMapper(_linked, clock=lambda: NOW)
    raw = [adt("A01", control=str(i), admitted="202611250800-0500") for i in range(count)]
    start = time.perf_counter()
    for message in raw:
        text = normalise(message)
        await mapper.events_of(text)
        ack(header(text), "AA", "recorded 1", NOW, "bench")
    return count / (time.perf_counter() - start)


def fhir(count: int) -> float:
    body = fr.bundle("batch", fr.patient(), fr.coverage(), fr.condition("E11.9"),
                     fr.condition("I10", rid="c2"), fr.consent(), fr.careplan(),
                     fr.encounter("IMP", rid="e2"), fr.procedure())  # fmt: skip
    start = time.perf_counter()
    for _ in range(count):
        mapped = map_items(bundle_items(body)[1], "ehr")
        assert not mapped.refused
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--bundles", type=int, default=300)
    args = parser.parse_args()
    print(f"hl7: {asyncio.run(hl7(args.messages)):.0f} ADT messages/s (parse, map, ACK)")
    print(f"fhir: {fhir(args.bundles):.0f} Bundles/s of 8 resources (validate, map)")


if __name__ == "__main__":
    main()
