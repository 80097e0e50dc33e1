"""Reading a command's input file or argument: every failure one line, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path


class InputError(Exception):
    """Bad arguments or files: printed as one line, exit 2."""


def read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    path = Path(name)
    if path.is_dir():
        raise InputError(f"{name} is a directory, not a JSONL file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror}") from None
