"""CPU seconds of this process and of one embedded PostgreSQL server, for bench/side_by_side.py.

Wall time on a shared machine says as much about the neighbours as about the code; the CPU a run
costs (client and server) says less about them. The server's is its postmaster's own, its
backends' (live ones read directly, exited ones through the postmaster's reaped children).
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import psutil


class Cpu:
    """``seconds()``: (client, server) CPU seconds so far."""

    def __init__(self, url: str) -> None:
        data_dir = parse_qs(urlsplit(url).query).get("host", [""])[0]
        self.postmaster: psutil.Process | None = None
        for proc in psutil.process_iter(["cmdline"]):
            cmdline = proc.info["cmdline"] or []
            if "-D" in cmdline and data_dir and cmdline[cmdline.index("-D") + 1] == data_dir:
                self.postmaster = proc

    def seconds(self) -> tuple[float, float]:
        return time.process_time(), self._server()

    def _server(self) -> float:
        if self.postmaster is None:
            return 0.0
        own = self.postmaster.cpu_times()
        total = own.user + own.system + own.children_user + own.children_system
        for child in self.postmaster.children():
            try:
                times = child.cpu_times()
            except psutil.Error:  # exited meanwhile: counted as a reaped child next time
                continue
            total += times.user + times.system
        return total
