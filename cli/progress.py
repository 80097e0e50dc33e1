"""A plain progress bar on stderr for long-running commands (ingest, rebuild, demo)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """``[#####.....]  512/1000 events  12.3/s``; redrawn at most ten times a second."""

    def __init__(self, total: int, label: str, out: TextIO = sys.stderr, width: int = 30) -> None:
        self.total, self.label, self.out, self.width = max(total, 1), label, out, width
        self.done = 0
        self.started = time.monotonic()
        self.drawn_at = 0.0

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.drawn_at >= 0.1 or self.done >= self.total:
            self.drawn_at = now
            self._draw(now)

    def close(self) -> None:
        self._draw(time.monotonic())
        self.out.write("\n")
        self.out.flush()

    def _draw(self, now: float) -> None:
        filled = int(self.width * min(self.done, self.total) / self.total)
        rate = self.done / max(now - self.started, 1e-6)
        bar = "#" * filled + "." * (self.width - filled)
        self.out.write(f"\r[{bar}] {self.done:>7}/{self.total} {self.label}  {rate:,.1f}/s")
        self.out.flush()
