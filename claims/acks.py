"""Acknowledgements: a 999 (was the interchange's 837P syntactically accepted?) and a 277CA
(did the payer's front end accept each claim?), recorded for the reconciliation report.

A 999's AK1 names the functional group it answers (the export's GS06, which is its interchange
control number); a 277CA names each claim by its TRN*2 (the CLM01 sent) and says so in its STC
(category:status, e.g. A1:20 accepted, A3:21 returned as unprocessable).
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

INSERT = """
INSERT INTO claim_acks (kind, interchange_control_number, claim_id, status) VALUES ($1, $2, $3, $4)
"""


@dataclass(frozen=True)
class Ack:
    kind: str  # 999, 277CA
    icn: int | None
    claim_id: str | None
    status: str


def parse_ack(text: str) -> list[Ack]:
    """The acknowledgements a 999 or 277CA holds (ISA-declared separators)."""
    element, terminator = text[3], text[105]
    segments = [s.strip().split(element) for s in text.split(terminator) if s.strip()]
    kind = next((s[1] for s in segments if s[0] == "ST"), "")
    if kind == "999":
        group = next((int(s[2]) for s in segments if s[0] == "AK1" and s[2].isdigit()), None)
        status = next((s[1] for s in segments if s[0] == "AK9"), "")
        return [Ack("999", group, None, status)] if status else []
    acks: list[Ack] = []
    claim: str | None = None
    for s in segments:
        if s[0] == "TRN" and s[1] == "2":
            claim = s[2]
        elif s[0] == "STC" and claim is not None:
            acks.append(Ack("277CA", None, claim, s[1]))
            claim = None
    return acks


async def record_acks(pool: asyncpg.Pool, acks: list[Ack]) -> None:
    await pool.executemany(INSERT, [(a.kind, a.icn, a.claim_id, a.status) for a in acks])
