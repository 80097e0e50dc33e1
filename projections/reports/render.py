"""Renders report rows as a terminal table, JSON (the stable contract) or CSV.

JSON keeps each row model's ``model_dump(mode="json")``: amounts are decimal strings, times ISO
8601, lists stay lists. Table and CSV flatten a list to one cell: codes as "99490x1 99439x2" (a
line dated apart from the claim's latest date shows it: "G0506x1@2026-09-07"), other items
joined by "; ". Booleans are true/false in CSV, yes/no in the table.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel

Format = Literal["table", "json", "csv"]
FORMATS: tuple[Format, ...] = ("table", "json", "csv")
MAX_CELL = 48


def cell(value: Any) -> str:
    """One value as text: codes as ``CODExUNITS``, lists joined, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        if value and all(isinstance(v, dict) and "code" in v for v in value):
            return _lines(value)
        # Text items may contain spaces, so "; " separates them.
        return "; ".join(cell(v) for v in value)
    if isinstance(value, dict):
        if set(value) == {"code", "units"}:
            return f"{value['code']}x{value['units']}"
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return str(value)


def _lines(lines: Sequence[dict[str, Any]]) -> str:
    """Codes as ``99490x1 99439x2``; a line dated apart from the latest gets its date
    (``G0506x1@2026-09-07``: G0506 carries the initiating visit's date)."""
    latest = max((str(x.get("date_of_service") or "") for x in lines), default="")
    return " ".join(
        f"{x['code']}x{x['units']}"
        + (f"@{x['date_of_service']}" if x.get("date_of_service") not in (None, latest) else "")
        for x in lines
    )


def render(rows: Sequence[BaseModel], fmt: Format, columns: Sequence[str] | None = None) -> str:
    """``rows`` in ``fmt``; ``columns`` (default: the row model's ``TABLE_COLUMNS`` if it has
    one) limits the table view; JSON and CSV always carry every field."""
    dumped = [r.model_dump(mode="json") for r in rows]
    if fmt == "json":
        return json.dumps(dumped, indent=2) + "\n"
    if fmt == "csv":
        return to_csv(dumped, _fields(rows))
    default = getattr(type(rows[0]), "TABLE_COLUMNS", None) if rows else None
    return to_table(dumped, list(columns or default or _fields(rows)))


def _fields(rows: Sequence[BaseModel]) -> list[str]:
    return list(type(rows[0]).model_fields) if rows else []


def to_csv(dumped: Sequence[dict[str, Any]], fields: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for row in dumped:
        # Spreadsheets and scripts read true/false; people read yes/no in the table.
        writer.writerow(
            [str(row[f]).lower() if isinstance(row[f], bool) else cell(row[f]) for f in fields]
        )
    return out.getvalue()


def to_table(dumped: Sequence[dict[str, Any]], fields: Sequence[str]) -> str:
    """Aligned columns; numbers right-aligned; long cells cut with an ellipsis."""
    if not dumped:
        return "(no rows)\n"
    grid = [[_clip(cell(row[f])) for f in fields] for row in dumped]
    widths = [max(len(f), *(len(r[i]) for r in grid)) for i, f in enumerate(fields)]
    numeric = [all(_is_number(r[i]) for r in grid) for i in range(len(fields))]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(fields), rule, *(line(r) for r in grid)]) + "\n"


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text == ""
    return True
