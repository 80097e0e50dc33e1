"""The ingest target runs against the workflow tests' engine: the time-skipping server, a real
worker and embedded PostgreSQL (``tests/workflow/conftest.py``)."""

from tests.workflow.conftest import engine, skipping_env

__all__ = ["engine", "skipping_env"]
