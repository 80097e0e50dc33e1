"""Claims after month close: review queue, 837P/CSV export, 835 remittances, reconciliation."""
