"""Operator actions on a running engine: policy changes, restoring workflows from the store."""
