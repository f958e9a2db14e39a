"""The service looking at itself: database size and integrity on demand."""
