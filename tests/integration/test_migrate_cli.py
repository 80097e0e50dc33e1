"""``ccm db migrate`` as a user runs it: the installed console script in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

from db.migrate import available
from runtime.embedded_pg import EmbeddedPostgres
from tests.fixtures_pg import database_uri

pytestmark = pytest.mark.integration

CCM = str(Path(sys.executable).parent / "ccm")


def ccm_db_migrate(data_dir: Path, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCM_", "TEMPORAL_"))}
    env["CCM_DATA_DIR"] = str(data_dir)
    if url is not None:
        env["CCM_DATABASE_URL"] = url
    return subprocess.run(
        [CCM, "db", "migrate"], env=env, capture_output=True, text=True, check=False
    )


@pytest_asyncio.fixture(loop_scope="session")
async def empty_database(embedded_pg: EmbeddedPostgres) -> AsyncIterator[str]:
    """A database nothing has migrated yet, as its owner sees it."""
    name = f"empty_{uuid.uuid4().hex}"
    admin = await asyncpg.connect(embedded_pg.admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" OWNER ccm_owner')
        yield database_uri(embedded_pg.urls.owner, name)
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def test_migrate_applies_every_file_once_then_reports_up_to_date(
    empty_database: str, tmp_path: Path
) -> None:
    first = ccm_db_migrate(tmp_path, empty_database)
    assert first.returncode == 0, first.stderr
    expected = [f"applied {m.version:04d}_{m.name}" for m in available()]
    assert first.stdout.splitlines() == expected

    second = ccm_db_migrate(tmp_path, empty_database)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines() == ["up to date"]


def test_without_a_database_it_says_where_it_looked_and_creates_nothing(tmp_path: Path) -> None:
    """A mistyped data dir must not get a new, empty database of its own."""
    wrong = tmp_path / "typo"
    done = ccm_db_migrate(wrong)
    assert done.returncode == 2
    assert done.stderr.startswith("ccm db migrate: no database: CCM_DATABASE_URL is not set")
    assert f"no `ccm dev` is running for {wrong.resolve()}" in done.stderr
    assert not wrong.exists()
