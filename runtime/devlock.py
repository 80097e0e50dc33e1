"""One ``ccm dev`` per data dir: an exclusive lock held for the process's whole life.

``services.json`` appears only once everything is up; the lock closes the window before that, so
two ``ccm dev`` started together cannot both start services on one data dir. The kernel drops
the lock when the holder dies, however it dies.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from runtime.errors import CannotRun

LOCK_FILE = "ccm-dev.lock"


class AlreadyRunning(CannotRun):
    """Another ``ccm dev`` already serves this data dir."""


def hold(data_dir: Path) -> IO[str]:
    """Takes the data dir's lock (keep the returned file open); raises ``AlreadyRunning`` naming
    the holder's pid."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = (data_dir / LOCK_FILE).open("a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        holder = lock.read().strip() or "unknown"
        lock.close()
        raise AlreadyRunning(
            f"`ccm dev` is already running for {data_dir.resolve()} (pid {holder}); stop it"
            " (Ctrl-C or `kill <pid>`) or use it: every command finds it"
        ) from None
    lock.truncate(0)
    lock.write(str(os.getpid()))
    lock.flush()
    return lock
