"""The total behind the history pager, counted once per state of the history.

Counting a million rows costs about 100 ms on SQLCipher, and every page of the history (HTML
and API) needs the total. The history is append-only (no code deletes a search command), so
for a filter that does not look at the status, the set of matching rows can change only when
a command is added (the newest id moves) or when a queue or an instance is deleted (their ids
in old rows become NULL: the count and highest id of queues and instances move). Those few
values form the stamp a cached total is valid for; reading it is three index lookups.

A filter on the status is never cached: a command changes status in place (intent, sent,
completed) without any of the stamp's values moving.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import astuple
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.search.models import SearchCommand, SearchQueue

if TYPE_CHECKING:
    from vibe_quality_searcharr.search.history.listing import HistoryFilter

__all__ = ["HistoryTotals", "history_stamp", "totals_for"]

Stamp = tuple[int | None, int, int | None, int, int | None]


def history_stamp(session: Session) -> Stamp:
    """What moves whenever the rows a status-free history filter matches can change."""
    commands = session.scalar(select(func.max(SearchCommand.id)))
    queues = session.execute(select(func.count(SearchQueue.id), func.max(SearchQueue.id))).one()
    instances = session.execute(select(func.count(Instance.id), func.max(Instance.id))).one()
    return (commands, int(queues[0]), queues[1], int(instances[0]), instances[1])


class HistoryTotals:
    """Totals per filter, each kept with the stamp it was counted at (a bounded LRU)."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._found: OrderedDict[tuple[object, ...], tuple[Stamp, int]] = OrderedDict()

    def total(self, session: Session, where: HistoryFilter, count: Callable[[], int]) -> int:
        if where.status is not None:
            return count()
        key = astuple(where)
        stamp = history_stamp(session)
        with self._lock:
            cached = self._found.get(key)
            if cached is not None and cached[0] == stamp:
                self._found.move_to_end(key)
                return cached[1]
        value = count()
        with self._lock:
            self._found[key] = (stamp, value)
            self._found.move_to_end(key)
            while len(self._found) > self._size:
                self._found.popitem(last=False)
        return value


_BY_ENGINE: weakref.WeakKeyDictionary[Engine, HistoryTotals] = weakref.WeakKeyDictionary()
_BY_ENGINE_LOCK = threading.Lock()


def totals_for(session: Session) -> HistoryTotals:
    """The cache of the database this session talks to (one per engine, so per app)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    with _BY_ENGINE_LOCK:
        found = _BY_ENGINE.get(engine)
        if found is None:
            found = HistoryTotals()
            _BY_ENGINE[engine] = found
        return found
