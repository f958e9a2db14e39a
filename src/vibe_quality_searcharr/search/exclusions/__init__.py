"""Exclusions: items and whole series/movies/artists/authors kept out of every queue."""
