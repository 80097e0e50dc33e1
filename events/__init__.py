"""The event store and the events it holds: every fact of the engine, append-only."""
