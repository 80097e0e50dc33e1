"""Counting a feed's PHI (names, MBIs, birth dates) in bytes: as UTF-8 and as JSON encodes it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from events.upstream import PatientIdentified

KINDS = ("name", "mbi", "birth_date")


def needles(patients: Iterable[PatientIdentified]) -> dict[str, set[bytes]]:
    """Each kind's values in every byte form they could be stored in."""
    found: dict[str, set[bytes]] = {kind: set() for kind in KINDS}
    for patient in patients:
        demo = patient.demographics
        if demo is None:
            continue
        for kind in KINDS:
            value = getattr(demo, kind)
            if value is None:
                continue
            text = value.isoformat() if kind == "birth_date" else str(value)
            found[kind] |= {text.encode(), json.dumps(text).strip('"').encode()}
    return found


def hits(haystack: bytes, forms: dict[str, set[bytes]]) -> dict[str, int]:
    """Occurrences of each kind (a value counted once per place it occurs)."""
    return {kind: sum(haystack.count(form) for form in values) for kind, values in forms.items()}


def scan_files(paths: Iterable[Path], forms: dict[str, set[bytes]]) -> dict[str, dict[str, int]]:
    """Hits per existing file, keyed by file name."""
    return {p.name: hits(p.read_bytes(), forms) for p in paths if p.exists()}


def total(counts: dict[str, dict[str, int]]) -> int:
    return sum(n for per_file in counts.values() for n in per_file.values())
