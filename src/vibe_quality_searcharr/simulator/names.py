"""Word pools for generated titles, with unicode on purpose: clients must survive it."""

from __future__ import annotations

import random

__all__ = ["make_title", "person_name", "sort_title"]

_WORDS = (
    "Shadow", "River", "Kingdom", "Night", "Signal", "Empire", "Harbor", "Glass", "Winter",
    "Echo", "Frontier", "Orbit", "Garden", "Silent", "Crown", "Falcon", "Hollow", "Iron",
    "Café", "Ōkami", "Zoë", "Ñandú", "Straße", "東京", "Здравствуй", "Àlbum", "Fjörd", "Δέλτα",
    "Lantern", "Atlas", "Velvet", "Cipher", "Meridian", "Tide", "Ember", "Paradox", "Quartz",
)  # fmt: skip
_FIRST = ("Ana", "Björn", "Chloé", "Dmitri", "Émile", "Fatima", "Hiro", "Jürgen", "Lucía", "Noor")
_LAST = ("Álvarez", "Brontë", "Okafor", "Søndergaard", "Tanaka", "Nguyễn", "Moreau", "Kowalski")


def make_title(rng: random.Random, index: int) -> str:
    """Two or three words plus the index, so titles are unique and stable for a seed."""
    words = rng.sample(_WORDS, 2 + (index % 2))
    prefix = "The " if index % 5 == 0 else ""
    return f"{prefix}{' '.join(words)} {index}"


def sort_title(title: str) -> str:
    lowered = title.lower()
    for article in ("the ", "a ", "an "):
        if lowered.startswith(article):
            return lowered[len(article) :]
    return lowered


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
