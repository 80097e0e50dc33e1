"""Process plumbing: settings, logging, and the embedded services for local runs."""
