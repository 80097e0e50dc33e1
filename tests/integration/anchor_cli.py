"""Helpers for the anchor tests: a practice with demographics, the ``ccm`` command, files."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg

from bench.synthetic import patient_history
from db.migrate import migrate
from events.base import stream_for
from events.store import EventStore
from events.upstream import Demographics, OutreachAttempted, PatientIdentified
from tests.fixtures_pg import database_uri

# Fake PHI: none of it may reach a checkpoint file or the command's output.
PHI = ("Quimby", "1EG4TE5MK72", "1948-03-09")
DEMOGRAPHICS = Demographics(name="Ada Quimby", birth_date=date(1948, 3, 9), mbi="1EG4TE5MK72")


async def ccm(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Runs ``ccm`` as a separate process, as an operator would."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def ccm_env(db_url: str, data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "CCM_DATABASE_URL": db_url, "CCM_DATA_DIR": str(data_dir)}
    env.pop("CCM_ANCHOR_KEY_FILE", None)
    return env


async def add_practice(store: EventStore, patients: int, seed: int = 5) -> dict[str, int]:
    """``patients`` synthetic histories (the first event carries demographics); stream ->
    version."""
    versions: dict[str, int] = {}
    for i in range(patients):
        events = patient_history(f"p{i}", "2025-01", 3, seed=seed)
        first = events[0]
        assert isinstance(first, PatientIdentified)
        events[0] = first.model_copy(update={"demographics": DEMOGRAPHICS})
        stream = stream_for(f"p{i}")
        versions[stream] = (await store.append(stream, events, expected_version=0)).version
    return versions


async def one_more(store: EventStore, patient: str, n: int) -> int:
    """Appends one outreach attempt to the patient's stream; returns its version."""
    event = OutreachAttempted(
        event_id=f"{patient}-late-{n}", patient_id=patient,
        occurred_at=datetime(2025, 4, 20, 10, tzinfo=UTC),
        channel="phone", outcome="no_answer", staff_id="rn-2",
    )  # fmt: skip
    return (await store.append(stream_for(patient), [event], expected_version=None)).version


async def other_database(pg_server: str, name: str) -> str:
    """Creates and migrates a second database on the same server; returns its URL."""
    admin = await asyncpg.connect(pg_server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = database_uri(pg_server, name)
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    return url


async def drop_database(pg_server: str, name: str) -> None:
    admin = await asyncpg.connect(pg_server)
    try:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def checkpoints(directory: Path) -> list[Path]:
    """The checkpoint files in ``directory``, oldest first."""
    return sorted(directory.glob("*.json"))


def backdate(payload: str) -> str:
    """An edit a fraudster might make: every date of the event a year earlier."""
    return payload.replace('"2025-', '"2024-')
