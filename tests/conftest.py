"""Shared fixtures: embedded PostgreSQL (tests/fixtures_pg.py) and Temporal (tests/fixtures_temporal.py)."""

pytest_plugins = ["tests.fixtures_pg", "tests.fixtures_temporal"]
