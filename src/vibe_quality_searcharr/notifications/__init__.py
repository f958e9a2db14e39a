"""Apprise notifications from bus events: targets, subscriptions, rate limits, delivery."""
