"""Upstream systems: the contract's clients, ingestion and the synthetic feed."""
