"""What a command says when a service it needs is missing or down; the CLI prints these.

Two kinds, because an operator acts on them differently: nothing is configured or running to
use (fix a setting or start `ccm dev`: exit 2), or what is configured is down right now (wait
and run the same command again: exit 75, ``EX_TEMPFAIL``).
"""

from __future__ import annotations

EXIT_NOT_FOUND = 2
EXIT_RETRY = 75  # sysexits.h EX_TEMPFAIL: a temporary failure, the command is safe to re-run


class ServiceUnavailable(RuntimeError):
    """A needed service is down, taken or failed; the message tells the user what to do."""


class CannotRun(ServiceUnavailable):
    """Waiting will not help: a setting to fix, or another process to stop first (exit 2)."""


class NoServiceFound(CannotRun):
    """Nothing configured and no running ``ccm dev`` to use: the message says where it looked."""
