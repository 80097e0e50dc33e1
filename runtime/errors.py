"""One base class for "a service this command needs is not available"; the CLI prints these."""

from __future__ import annotations


class ServiceUnavailable(RuntimeError):
    """A needed service is missing, taken or failed; the message tells the user what to do."""
