"""Grab feedback: the delayed re-check of the *arr's history after a search, and grab rates."""
