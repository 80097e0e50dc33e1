"""``<data_dir>/services.json``: where a running ``ccm dev`` serves, for other processes to find.

``ccm dev`` publishes it once everything is up, again whenever it restarts a service, and
withdraws it on stop. A file whose owner has died (``ccm dev`` was SIGKILLed) is stale and treated
as absent.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from runtime.processes import pid_alive

SERVICES_FILE = "services.json"


class Services(BaseModel):
    """Addresses and pids of what one ``ccm dev`` process started (``None``: not started by it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    owner_pid: int
    data_dir: str
    database_url: str | None = None
    postgres_pid: int | None = None
    temporal_address: str | None = None
    temporal_pid: int | None = None
    ui_url: str | None = None

    def alive(self) -> bool:
        """True while the owner runs: it supervises what it lists, restarting a dead service and
        publishing its new pid, or withdraws the file when it stops."""
        return pid_alive(self.owner_pid)


def read_running(data_dir: Path) -> Services | None:
    """The live ``ccm dev`` serving ``data_dir``; ``None`` if none runs (or the file is stale)."""
    path = data_dir / SERVICES_FILE
    try:
        services = Services.model_validate_json(path.read_text())
    except (FileNotFoundError, ValidationError):
        return None
    return services if services.alive() else None


def describe(data_dir: Path) -> str:
    """What ``services.json`` says, for a message naming where a stack was looked for."""
    path = data_dir / SERVICES_FILE
    try:
        found = Services.model_validate_json(path.read_text())
    except FileNotFoundError:
        return f"no {SERVICES_FILE} there"
    except ValidationError:
        return f"{SERVICES_FILE} there is unreadable"
    if not pid_alive(found.owner_pid):
        return f"{SERVICES_FILE} was left by pid {found.owner_pid}, which has exited"
    return f"{SERVICES_FILE} is current (pid {found.owner_pid})"


def publish(data_dir: Path, services: Services) -> None:
    """Writes the file atomically so a reader never sees half of it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / f".{SERVICES_FILE}.{os.getpid()}"
    tmp.write_text(services.model_dump_json(indent=2))
    tmp.replace(data_dir / SERVICES_FILE)


def withdraw(data_dir: Path, owner_pid: int) -> None:
    """Removes the file if ``owner_pid`` published it (never another process's file)."""
    path = data_dir / SERVICES_FILE
    try:
        current = Services.model_validate_json(path.read_text())
    except (FileNotFoundError, ValidationError):
        return
    if current.owner_pid == owner_pid:
        path.unlink(missing_ok=True)
