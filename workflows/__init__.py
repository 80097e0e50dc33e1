"""Temporal workflows: one long-running workflow per patient."""
