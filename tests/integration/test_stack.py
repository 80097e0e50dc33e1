"""The embedded stack: real PostgreSQL and a real Temporal dev server in a temporary data dir."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import uuid
from pathlib import Path

import pytest

from db.migrate import available
from runtime.devlock import AlreadyRunning
from runtime.errors import NoServiceFound, ServiceUnavailable
from runtime.pg_secrets import secrets_path
from runtime.services import SERVICES_FILE, Services, publish
from runtime.settings import Settings
from runtime.stack import open_stack
from runtime.temporal_dev import PortInUse, registered_search_attributes, search_attribute_names

pytestmark = pytest.mark.integration


def temporal_file_modes(data_dir: Path) -> dict[str, int]:
    """Mode of every file the dev server keeps in the data dir (its SQLite files and log)."""
    return {p.name: p.stat().st_mode & 0o777 for p in data_dir.glob("temporal.*")}


def settings_for(data_dir: Path, ports: tuple[int, int]) -> Settings:
    return Settings(data_dir=data_dir, temporal_port=ports[0], ui_port=ports[1], codec_port=0)


async def test_stack_starts_both_services_migrated_with_search_attributes(
    stack_data_dir: Path, free_ports: tuple[int, int]
) -> None:
    async with open_stack(settings_for(stack_data_dir, free_ports), start_missing=True) as stack:
        assert stack.started == ["postgres", "temporal"]
        versions = await stack.pool.fetch("SELECT version FROM schema_migrations ORDER BY 1")
        assert [r["version"] for r in versions] == [m.version for m in available()]
        assert search_attribute_names() <= await registered_search_attributes(stack.client)
        found = [w async for w in stack.client.list_workflows('CcmPhase = "enrolled"')]
        assert found == []
        assert await stack.pool.fetchval("SELECT current_user") == "ccm_app"
    assert not (stack_data_dir / "pg" / "postmaster.pid").exists()
    # Temporal's SQLite file holds workflow histories: owner-only, like the log.
    modes = temporal_file_modes(stack_data_dir)
    assert set(modes) >= {"temporal.db", "temporal.log"}
    assert modes == dict.fromkeys(modes, 0o600)


async def test_restart_on_the_same_data_dir_keeps_rows_and_workflows(
    stack_data_dir: Path, free_ports: tuple[int, int]
) -> None:
    settings = settings_for(stack_data_dir, free_ports)
    workflow_id = f"probe-{uuid.uuid4().hex}"
    async with open_stack(settings, start_missing=True) as stack:
        # The app role's pool: it may write a checkpoint row, never create a table.
        await stack.pool.execute("INSERT INTO projection_checkpoints VALUES ('probe', 42)")
        # No worker polls this queue: the execution just stays open, which is all we need.
        await stack.client.start_workflow("Probe", id=workflow_id, task_queue="nobody-polls")

    async with open_stack(settings, start_missing=True) as again:
        assert again.applied_migrations == []
        assert (
            await again.pool.fetchval(
                "SELECT position FROM projection_checkpoints WHERE projection = 'probe'"
            )
            == 42
        )
        handle = again.client.get_workflow_handle(workflow_id)
        assert (await handle.describe()).workflow_type == "Probe"
        await handle.terminate()


async def test_taken_port_is_refused_by_name_and_nothing_is_left_running(
    stack_data_dir: Path, free_ports: tuple[int, int]
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", free_ports[0]))
        squatter.listen()
        with pytest.raises(PortInUse) as refused:
            async with open_stack(settings_for(stack_data_dir, free_ports), start_missing=True):
                pass
    assert str(refused.value) == (
        f"port {free_ports[0]} is in use: is another `ccm dev` running? set CCM_TEMPORAL_PORT"
    )
    assert not (stack_data_dir / "pg").exists()  # refused before PostgreSQL was even set up


async def test_without_services_and_without_start_missing_says_what_to_do(
    stack_data_dir: Path,
) -> None:
    with pytest.raises(NoServiceFound, match="no database: CCM_DATABASE_URL is not set"):
        async with open_stack(Settings(data_dir=stack_data_dir), start_missing=False):
            pass


async def test_published_stack_is_found_by_others_and_not_started_twice(
    stack_data_dir: Path, free_ports: tuple[int, int]
) -> None:
    settings = settings_for(stack_data_dir, free_ports)
    async with open_stack(settings, start_missing=True, publish=True) as dev:
        published = (stack_data_dir / SERVICES_FILE).read_text()
        passwords = json.loads(secrets_path(stack_data_dir).read_text()).values()
        assert not [p for p in passwords if p in published]  # each process reads its own
        async with open_stack(settings, start_missing=False) as other:
            assert other.started == []
            assert (other.database_url, other.temporal_address) == (
                dev.database_url,
                dev.temporal_address,
            )
        with pytest.raises(AlreadyRunning, match="`ccm dev` is already running"):
            async with open_stack(settings, start_missing=True, publish=True):
                pass
    assert not (stack_data_dir / SERVICES_FILE).exists()


async def test_services_file_of_a_dead_dev_is_ignored(stack_data_dir: Path) -> None:
    # A `ccm dev` killed with SIGKILL never withdraws its file; its pid no longer runs.
    finished = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await finished.wait()
    publish(
        stack_data_dir,
        Services(
            owner_pid=finished.pid,
            data_dir=str(stack_data_dir),
            database_url="postgresql://postgres:@/postgres?host=/nonexistent",
            temporal_address="127.0.0.1:1",
        ),
    )
    with pytest.raises(ServiceUnavailable, match="no database"):
        async with open_stack(Settings(data_dir=stack_data_dir), start_missing=False):
            pass
