"""Owner-only files and directories for what the embedded services keep on disk.

The data dir holds PHI (Temporal's SQLite file, PostgreSQL's data) and the role passwords, so
nobody but its owner may read it. One exception: run as root, embedded PostgreSQL runs as the OS
user ``embedded_postgres`` with root's group, and must traverse the data dir to reach ``pg``;
``embedded_pg`` then sets the group search bit (0710), which ``private_dir`` keeps.
"""

from __future__ import annotations

import os
from pathlib import Path


def private_dir(path: Path) -> Path:
    """Creates ``path`` if needed and makes it 0700 (0710 if its group may already traverse)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700 | (path.stat().st_mode & 0o010))
    return path


def private_file(path: Path) -> Path:
    """Creates ``path`` empty if missing and makes it 0600 (a file from before is narrowed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    return path
