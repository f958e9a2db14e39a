"""Vibe-Quality-Searcharr: a backlog searcher for the *arr apps."""

__version__ = "0.1.0"

__all__ = ["__version__"]
