"""The supervisor's policy on real processes: a killed child is restarted, one that keeps dying
makes the stack give up with a message naming it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal

import pytest

from runtime import supervisor
from runtime.processes import pid_alive
from runtime.supervisor import Child, GaveUp, supervise

pytestmark = pytest.mark.integration


class SleepChild:
    """A real process (``sleep``) the supervisor looks after; ``lives`` is how long each runs."""

    def __init__(self, lives: str = "60") -> None:
        self.lives = lives
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self) -> int:
        self.proc = await asyncio.create_subprocess_exec("sleep", self.lives)
        self.starts += 1
        return self.proc.pid

    def child(self) -> Child:
        return Child(
            name="sleeper", alive=self.alive, why=lambda: "exited", restart=self.start,
            log_file="(none)",
        )  # fmt: skip

    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None and pid_alive(self.proc.pid)


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(supervisor, "BACKOFF_S", (0.05,))


async def test_a_killed_child_is_restarted_and_others_are_told(quick: None) -> None:
    sleeper = SleepChild()
    await sleeper.start()
    stop, told = asyncio.Event(), []
    task = asyncio.create_task(
        supervise([sleeper.child()], stop, lambda: told.append(1), poll_s=0.05)
    )
    assert sleeper.proc is not None
    first = sleeper.proc.pid
    os.kill(first, signal.SIGKILL)
    for _ in range(100):
        if sleeper.starts == 2:
            break
        await asyncio.sleep(0.05)
    assert sleeper.starts == 2 and sleeper.proc.pid != first and told == [1]
    stop.set()
    await task
    sleeper.proc.kill()
    await sleeper.proc.wait()


async def test_a_child_that_keeps_dying_makes_the_stack_give_up(quick: None) -> None:
    dying = SleepChild(lives="0")
    await dying.start()
    with pytest.raises(GaveUp, match="sleeper died 6 times in 10 minutes"):
        await asyncio.wait_for(
            supervise([dying.child()], asyncio.Event(), lambda: None, poll_s=0.05), 30
        )
    assert dying.starts == supervisor.LIMIT + 1
    with contextlib.suppress(ProcessLookupError):
        assert dying.proc is not None
        dying.proc.kill()
