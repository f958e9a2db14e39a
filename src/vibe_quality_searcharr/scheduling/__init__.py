"""APScheduler wiring: jobs rebuilt from the database at start, one leader among replicas."""
