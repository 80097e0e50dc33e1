"""The biller's side of the engine: the practice's fee schedules (and, later, claim files)."""
