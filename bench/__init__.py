"""Benchmarks run by hand (not tests): ``python bench/<name>.py``."""
