"""Renders an audit packet: sections for a person, nested JSON, or section,item,field,value CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from projections.reports.packet_models import AuditPacket
from projections.reports.render import Format, cell, to_table

# Section order and the §8 question each answers.
SECTIONS = (
    ("eligibility", "Eligibility basis"),
    ("initiating_visit", "Initiating visit"),
    ("consent", "Consent and disclosures"),
    ("care_plan", "Care plan in force"),
    ("counted_entries", "Time entries counted"),
    ("excluded_entries", "Time entries not counted, with the reason"),
    ("decision", "Codes, units and why this track"),
    ("services_billed_elsewhere", "Other practitioners / conflicting services this month"),
    ("claim", "Claim history (who approved, submitted, paid)"),
    ("late_entries", "Late entries (kept, never re-billed)"),
    ("integrity", "Record unaltered (hash chain)"),
)
ENTRY_COLUMNS = ["entry_id", "staff_id", "role", "credential", "minutes", "at", "start", "end"]


def render_packet(packet: AuditPacket, fmt: Format) -> str:
    data = packet.model_dump(mode="json")
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    if fmt == "csv":
        return _csv(data)
    out = [f"Audit packet: patient {packet.patient_id}, {packet.service_month}"]
    if packet.claim_id:
        out.append(f"Claim {packet.claim_id}")
    for key, title in SECTIONS:
        out += ["", f"== {title} =="]
        out.append(_section(key, data[key]).rstrip("\n"))
    return "\n".join(out) + "\n"


def _section(key: str, value: Any) -> str:
    if value is None or value == []:
        return "none on record"
    if key in ("counted_entries", "excluded_entries"):
        columns = (
            [*ENTRY_COLUMNS, "excluded_reasons"] if key == "excluded_entries" else ENTRY_COLUMNS
        )
        return to_table(value, columns)
    if key == "claim":
        return to_table(value, ["step", "at", "by", "detail", "position"])
    if isinstance(value, list) and isinstance(value[0], dict):
        return to_table(value, list(value[0]))
    if isinstance(value, list):
        return "\n".join(cell(v) for v in value)
    width = max(len(k) for k in value)
    return "\n".join(f"{k.ljust(width)}  {cell(v)}" for k, v in value.items())


def _csv(data: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "item", "field", "value"])
    for key, _ in SECTIONS:
        value = data[key]
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if isinstance(item, dict):
                for field, v in item.items():
                    writer.writerow([key, i, field, cell(v)])
            elif item is not None:
                writer.writerow([key, i, "value", cell(item)])
    return out.getvalue()
