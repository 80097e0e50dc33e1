"""Reads the packaged data tables (``care/data/*.csv``): the only I/O in the care package."""

from __future__ import annotations

import csv
from importlib import resources


def read_table(name: str) -> list[dict[str, str]]:
    """Rows of ``care/data/<name>`` as dicts; lines starting with ``#`` are comments (sources)."""
    text = resources.files("care").joinpath("data", name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return [dict(row) for row in csv.DictReader(lines)]
