"""Budgets: how many indexer queries an instance may still spend, from its own caps and from
Prowlarr's indexer limits."""
