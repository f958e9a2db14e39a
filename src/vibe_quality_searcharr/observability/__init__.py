"""Logging with secrets redacted, request ids, health probes and metrics."""
