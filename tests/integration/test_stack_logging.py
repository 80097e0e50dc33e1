"""Workflow code logging through structlog says each thing once, not again on every replay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import structlog
from structlog.typing import EventDict, Processor, WrappedLogger
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from runtime.logging import drop_during_replay
from tests.codec_keys import TEST_CONVERTER

pytestmark = pytest.mark.integration

log = structlog.get_logger("replay-probe")


# Unsandboxed so the test controls structlog's configuration directly; replay detection is the same.
@workflow.defn(sandboxed=False)
class LogsTwoSteps:
    @workflow.run
    async def run(self) -> None:
        log.info("step", n=1)
        await workflow.sleep(timedelta(hours=1))
        log.info("step", n=2)


class Collected(list[int]):
    def __call__(self, _logger: WrappedLogger, _method: str, event_dict: EventDict) -> Any:
        self.append(event_dict["n"])
        raise structlog.DropEvent


@pytest.fixture
def logged() -> Iterator[Collected]:
    saved = structlog.get_config()
    collected = Collected()
    yield collected
    structlog.configure(**saved)


def log_through(*processors: Processor) -> None:
    structlog.configure(processors=list(processors), cache_logger_on_first_use=False)


async def replay(history: WorkflowHistory) -> None:
    replayer = Replayer(workflows=[LogsTwoSteps], data_converter=TEST_CONVERTER)
    await replayer.replay_workflow(history)


async def test_replay_logs_nothing_with_the_filter_and_everything_without_it(
    time_skipping_env: WorkflowEnvironment, task_queue: str, logged: Collected
) -> None:
    log_through(drop_during_replay, logged)
    client = time_skipping_env.client
    async with Worker(client, task_queue=task_queue, workflows=[LogsTwoSteps]):
        handle = await client.start_workflow(LogsTwoSteps.run, id=task_queue, task_queue=task_queue)
        await handle.result()
    assert logged == [1, 2]

    history = await handle.fetch_history()
    await replay(history)
    assert logged == [1, 2]

    log_through(logged)  # the control: without the filter, replay repeats both lines
    await replay(history)
    assert logged == [1, 2, 1, 2]
