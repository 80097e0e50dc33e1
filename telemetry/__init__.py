"""Metrics, health and tracing for the long-running processes; all off unless configured."""
