"""Temporal activities: every piece of I/O the patient workflow needs, one input model each."""
