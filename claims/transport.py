"""The clearinghouse adapter: how exported files leave and acknowledgements/remittances arrive.

The outbox stays the one place a claim comes from: an adapter only carries files the export
wrote from approved outbox rows. ``FileDrop`` (the default) writes outbound files to a folder a
clearinghouse's SFTP client picks up and reads what it leaves in ``inbound/``; a real API client
is another adapter. Tests use ``tests/integration/fake_clearinghouse.py``, a named fake.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

INBOUND_KINDS = {".835": "835", ".999": "999", ".277": "277CA"}


@dataclass(frozen=True)
class InboundFile:
    name: str
    kind: str  # 835, 999, 277CA
    content: str


class Clearinghouse(Protocol):
    def send(self, name: str, content: str) -> str:
        """Hands one file over; returns where it went. Never overwrites a file already sent."""
        ...

    def receive(self) -> list[InboundFile]:
        """Files the clearinghouse returned (remittances, acknowledgements), oldest first."""
        ...


class FileDrop:
    """``<root>/outbound`` for files to send, ``<root>/inbound`` for what comes back."""

    def __init__(self, root: Path) -> None:
        self.outbound = root / "outbound"
        self.inbound = root / "inbound"

    def send(self, name: str, content: str) -> str:
        self.outbound.mkdir(parents=True, exist_ok=True)
        target = self.outbound / name
        partial = self.outbound / f".{name}.partial"
        partial.write_text(content, encoding="ascii")
        # A link, not a rename: it fails if the name exists, so a file sent is never replaced.
        os.link(partial, target)
        partial.unlink()
        return str(target)

    def receive(self) -> list[InboundFile]:
        if not self.inbound.is_dir():
            return []
        files = sorted(self.inbound.iterdir(), key=lambda p: (p.stat().st_mtime, p.name))
        return [
            InboundFile(p.name, INBOUND_KINDS[p.suffix], p.read_text(encoding="ascii"))
            for p in files
            if p.suffix in INBOUND_KINDS
        ]
