"""CPU and memory of the stack's processes, sampled with psutil while a bench runs.

A component is a root process and its descendants: CPU is its own and its reaped children's
(``children_user``/``children_system``, so PostgreSQL's exited backends count) plus the live
descendants'; memory is the sum of PSS (proportional set size: PostgreSQL's shared buffers are
not counted once per backend), and RSS where PSS cannot be read.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

import psutil


@dataclass
class Component:
    name: str
    root: psutil.Process
    cpu_start: float = 0.0
    cpu_end: float = 0.0
    peak_bytes: int = 0
    seen: dict[int, float] = field(default_factory=dict)  # live descendant pid -> CPU seconds
    last: float = 0.0  # the last total read
    tree: bool = True  # False: the root alone (the bench process, whose children are the stack)

    def cpu(self) -> float:
        """CPU seconds of the tree now, and the last total when it cannot be read.

        A descendant that is exiting is neither listed by psutil nor yet in the root's reaped
        children's total: its last sample is kept until its pid is gone, and the root's total
        is read after that check, so a reaped descendant is counted there (only one reaped
        between the check and the read is counted twice).
        """
        try:
            children = self.root.children(recursive=True) if self.tree else []
            for child in children:
                with contextlib.suppress(psutil.Error):
                    t = child.cpu_times()
                    self.seen[child.pid] = t.user + t.system
            listed = {c.pid for c in children}
            self.seen = {p: s for p, s in self.seen.items() if p in listed or psutil.pid_exists(p)}
            times = self.root.cpu_times()
        except psutil.Error:
            return self.last
        own = times.user + times.system
        if self.tree:
            own += times.children_user + times.children_system
        self.last = own + sum(self.seen.values())
        return self.last

    def sample_memory(self) -> None:
        total = 0
        for proc in [self.root, *(_children(self.root) if self.tree else [])]:
            with contextlib.suppress(psutil.Error):
                try:
                    total += proc.memory_full_info().pss
                except (psutil.AccessDenied, AttributeError):
                    total += proc.memory_info().rss
        self.peak_bytes = max(self.peak_bytes, total)


def _children(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return list(proc.children(recursive=True))
    except psutil.Error:
        return []


class Sampler:
    """Samples every component's memory every ``every_s`` seconds until stopped."""

    def __init__(self, components: list[Component], every_s: float = 1.0) -> None:
        self.components = components
        self.every_s = every_s
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Sampler:
        for c in self.components:
            c.cpu_start = c.cpu()
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        for c in self.components:
            c.sample_memory()
            c.cpu_end = c.cpu()

    async def _run(self) -> None:
        while True:
            for c in self.components:
                c.sample_memory()
                c.cpu()  # keeps the live descendants' CPU before they exit
            await asyncio.sleep(self.every_s)
