"""Shared fixtures: embedded PostgreSQL (fixtures_pg.py) and Temporal (fixtures_temporal.py)."""

pytest_plugins = ["tests.fixtures_pg", "tests.fixtures_temporal"]
