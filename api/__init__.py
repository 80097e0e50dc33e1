"""The HTTP ingestion API (``ccm api``): upstream events in over HTTP, receipts and views out."""
