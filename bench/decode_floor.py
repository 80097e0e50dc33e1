"""Decode floor (not a test): what one stored event costs to decode, per type, without a database.

    .venv/bin/python bench/decode_floor.py [--patients 300] [--months 12]

For the synthetic practice's events (bench/synthetic.py) it prints, per event type, the count,
the mean stored JSON size and microseconds per event for three decoders: ``json.loads`` (the
floor of any decoder that builds Python objects from the text), the stored-event validator the
read path uses (``events.trusted``) and full model validation (the edge's). The last line gives
events/s for the whole mix and a CPU calibration (``sum(range(1000))``), so figures from
machines or moments of different speed can be compared. It bounds ``read_all``: a decoded read
cannot beat ``json.loads`` of the same rows plus the raw fetch.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import timeit
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, as a script

from bench.synthetic import patient_history
from events.collector import decoding
from events.trusted import stored_validator

Decoder = Callable[[type[BaseModel], str], object]
DECODERS: dict[str, Decoder] = {
    "json.loads": lambda _model, text: json.loads(text),
    "stored": lambda model, text: stored_validator(model).validate_json(text),
    "full": lambda model, text: model.model_validate_json(text),
}


def texts_by_type(patients: int, months: int) -> dict[type[BaseModel], list[str]]:
    """Each event type's stored JSON texts for ``patients`` synthetic histories."""
    found: dict[type[BaseModel], list[str]] = defaultdict(list)
    for i in range(patients):
        for event in patient_history(f"p{i:06d}", "2025-01", months, seed=1):
            found[type(event)].append(event.model_dump_json())
    return found


def seconds(decode: Decoder, model: type[BaseModel], texts: list[str]) -> float:
    """Wall seconds to decode every text once, the collector paused as on the read path."""
    start = time.perf_counter()
    with decoding():
        for text in texts:
            decode(model, text)
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--patients", type=int, default=300)
    p.add_argument("--months", type=int, default=12)
    args = p.parse_args()
    found = texts_by_type(args.patients, args.months)
    totals = dict.fromkeys(DECODERS, 0.0)
    print(f"{'type':26} {'events':>7} {'bytes':>6} " + " ".join(f"{n:>11}" for n in DECODERS))
    for model, texts in sorted(found.items(), key=lambda kv: -len(kv[1])):
        cells = []
        for name, decode in DECODERS.items():
            spent = seconds(decode, model, texts)
            totals[name] += spent
            cells.append(f"{spent / len(texts) * 1e6:9.1f}us")
        size = sum(map(len, texts)) / len(texts)
        print(f"{model.__name__:26} {len(texts):7,} {size:6.0f} " + " ".join(cells))
    count = sum(map(len, found.values()))
    rates = "  ".join(f"{name} {count / spent:,.0f}/s" for name, spent in totals.items())
    calib = min(timeit.repeat("sum(range(1000))", number=10_000, repeat=5)) / 10_000 * 1e6
    print(f"{count:,} events: {rates}; sum(range(1000)) {calib:.1f} us")


if __name__ == "__main__":
    main()
