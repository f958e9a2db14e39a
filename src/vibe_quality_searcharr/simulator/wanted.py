"""Wanted/missing and wanted/cutoff, precomputed and cached so a page of 1000 costs a slice.

The full item order for each static sort field is computed once; each list is then a filter of
that order, cached until the library changes (`Library.version`) or the clock passes the next
moment an unaired item becomes missing. Descending is the same list reversed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from vibe_quality_searcharr.simulator.library import Library
from vibe_quality_searcharr.simulator.model import Item

__all__ = ["WantedLists"]

_MIN = datetime.min.isoformat()
_Key = tuple[Any, ...]


class WantedLists:
    def __init__(self, library: Library) -> None:
        self._library = library
        self._orders: dict[str, list[Item]] = {}
        self._cache: dict[tuple[str, bool, str, bool], tuple[int, datetime | None, list[Item]]] = {}

    def _key(self, field: str) -> Callable[[Item], _Key]:
        parents = self._library.parents

        def date_key(value: datetime | None, item: Item) -> _Key:
            return (0, _MIN, item.id) if value is None else (1, value.isoformat(), item.id)

        keys: dict[str, Callable[[Item], _Key]] = {
            "air": lambda item: date_key(item.air, item),
            "last_search": lambda item: date_key(item.last_search, item),
            "item_title": lambda item: (item.title.lower(), item.id),
            "title": lambda item: (
                item.movie.sort_title if item.movie else parents[item.parent_id].sort_title,
                item.season,
                item.number,
                item.id,
            ),
            "year": lambda item: (item.movie.year if item.movie else 0, item.id),
            "digital": lambda item: date_key(item.movie.digital if item.movie else None, item),
            "cinemas": lambda item: date_key(item.movie.in_cinemas if item.movie else None, item),
            "physical": lambda item: date_key(item.movie.physical if item.movie else None, item),
        }
        return keys[field]

    def _order(self, field: str) -> list[Item]:
        """All items in ascending order of a field; last_search changes, so it is not kept."""
        if field == "last_search":
            return sorted(self._library.items.values(), key=self._key(field))
        order = self._orders.get(field)
        if order is None:
            order = sorted(self._library.items.values(), key=self._key(field))
            self._orders[field] = order
        return order

    def warm(self, field: str) -> None:
        self._order(field)

    def query(
        self, kind: str, monitored: bool, field: str, ascending: bool, now: datetime
    ) -> list[Item]:
        library = self._library
        cache_key = (kind, monitored, field, ascending)
        cached = self._cache.get(cache_key)
        if cached is not None:
            version, valid_until, rows = cached
            if version == library.version and (valid_until is None or now < valid_until):
                return rows
        if kind == "missing":
            rows, valid_until = self._missing(self._order(field), monitored, now)
        else:
            rows, valid_until = self._cutoff(self._order(field), monitored), None
        if not ascending:
            rows.reverse()
        self._cache[cache_key] = (library.version, valid_until, rows)
        return rows

    def _missing(
        self, order: list[Item], monitored: bool, now: datetime
    ) -> tuple[list[Item], datetime | None]:
        library = self._library
        available = library.available
        parents = library.parents
        specials_excluded = library.spec.family == "tv"
        rows: list[Item] = []
        next_change: datetime | None = None
        for item in order:
            if item.file_id or (specials_excluded and item.season < 1):
                continue
            when = available[item.id]
            if when is None:
                continue
            if when > now:
                if next_change is None or when < next_change:
                    next_change = when
                continue
            parent = parents.get(item.parent_id)
            is_monitored = item.monitored and (parent is None or parent.monitored)
            if is_monitored == monitored:
                rows.append(item)
        return rows, next_change

    def _cutoff(self, order: list[Item], monitored: bool) -> list[Item]:
        library = self._library
        return [
            item
            for item in order
            if item.file_id
            and library.monitored(item) == monitored
            and library.is_cutoff_unmet(item)
        ]
