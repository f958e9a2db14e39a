"""The history a plan reads, at library scale: 50,000 item records over 1,000 series load in
whole-instance scans (no id list bound as parameters), and labels are looked up in chunks."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from tests.instances.conftest import make_instance
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.library.models import LibraryItem, LibraryParent
from vibe_quality_searcharr.library.repository import item_labels
from vibe_quality_searcharr.search.history.repository import load_history
from vibe_quality_searcharr.search.models import SearchItemState, SearchQueue, SearchSeasonState

ITEMS = 50_000
SERIES = 1_000


def test_history_and_labels_of_50k_items(context: AppContext, session: Session) -> None:
    instance = make_instance(session, context)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    session.execute(
        insert(LibraryParent),
        [{"instance_id": instance.id, "arr_id": s, "kind": "series", "title": f"Show {s}"}
         for s in range(1, SERIES + 1)],
    )  # fmt: skip
    session.execute(
        insert(LibraryItem),
        [{"instance_id": instance.id, "arr_id": i, "parent_id": i % SERIES + 1,
          "season_number": 1, "episode_number": i % 50 + 1, "title": f"E{i}"}
         for i in range(1, ITEMS + 1)],
    )  # fmt: skip
    session.execute(
        insert(SearchItemState),
        [{"instance_id": instance.id, "item_id": i, "last_searched_at": now - timedelta(hours=i % 400),
          "attempts": i % 7 + 1, "fruitless": i % 3, "grabs": 0}
         for i in range(1, ITEMS + 1)],
    )  # fmt: skip
    session.execute(
        insert(SearchSeasonState),
        [{"instance_id": instance.id, "series_id": s, "season_number": 1, "last_searched_at": now,
          "attempts": 1, "fruitless": 0, "grabs": 0} for s in range(1, SERIES + 1)],
    )  # fmt: skip
    queue = SearchQueue(
        name="big", instance_id=instance.id, strategy="missing", order="priority", batch_size=10,
        options={}, schedule={}, cycle_number=1, cycle_started_at=now,
    )  # fmt: skip
    session.add(queue)
    session.flush()

    started = time.perf_counter()
    history = load_history(session, instance.id, queue)
    elapsed = time.perf_counter() - started
    assert len(history.item_states) == ITEMS
    assert len(history.season_states) == SERIES
    assert history.item_states[6].attempts == 7
    assert history.cycle is not None
    assert history.cycle.number == 1
    print(f"load_history 50k items: {elapsed * 1000:.0f} ms ({context.database.backend})")

    labels = item_labels(session, instance.id, range(1, 2_001))
    assert len(labels) == 2_000
    assert labels[1001] == "Show 2 S01E02 E1001"
