"""How long the widget summary takes on a large install (a benchmark: prints, never asserts).

    PYTHONPATH=src python tests/bench/bench_widget.py [items] [history_rows]

Builds a SQLCipher database with `items` library items over 5 instances and `history_rows`
search commands over the last 365 days, each with one command item (about 1 in 10 grabbed),
then times the summary (median of 5 runs).
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import open_sqlcipher
from vibe_quality_searcharr.instances.models import Instance, InstanceHealth
from vibe_quality_searcharr.library.models import LibraryItem
from vibe_quality_searcharr.search.models import SearchCommand, SearchCommandItem
from vibe_quality_searcharr.widget.repository import WidgetRepository
from vibe_quality_searcharr.widget.service import start_of_day, summary

CHUNK = 20_000


def main(items: int, history: int) -> None:
    rng = random.Random(1)
    now = datetime(2025, 3, 1, 15, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_sqlcipher(Path(tmp) / "bench.db", "ab" * 32)
        migrate.upgrade(db)
        started = time.perf_counter()
        with db.session_scope() as session:
            for n in range(5):
                session.add(
                    Instance(
                        id=n + 1, name=f"i{n}", app="sonarr", url="http://x", api_key_encrypted="x"
                    )
                )
                session.add(
                    InstanceHealth(instance_id=n + 1, status="healthy" if n else "unhealthy")
                )
            session.flush()
            rows = [
                {
                    "instance_id": 1 + n % 5,
                    "arr_id": n,
                    "missing": n % 4 != 0,
                    "cutoff_unmet": n % 4 == 0,
                }
                for n in range(items)
            ]
            for i in range(0, len(rows), CHUNK):
                session.execute(insert(LibraryItem), rows[i : i + CHUNK])
            for i in range(0, history, CHUNK):
                commands = []
                command_items = []
                for n in range(i, min(i + CHUNK, history)):
                    at = now - timedelta(seconds=rng.randrange(365 * 86400))
                    commands.append(
                        {
                            "id": n + 1,
                            "instance_id": 1 + n % 5,
                            "strategy": "missing",
                            "kind": "EpisodeSearch",
                            "status": "completed",
                            "intent_at": at,
                        }
                    )
                    grabbed = rng.random() < 0.1
                    command_items.append(
                        {
                            "command_id": n + 1,
                            "item_id": n,
                            "grabbed": grabbed,
                            "grabbed_at": at + timedelta(minutes=20) if grabbed else None,
                        }
                    )
                session.execute(insert(SearchCommand), commands)
                session.execute(insert(SearchCommandItem), command_items)
        print(
            f"built {items:,} items and {history:,} commands + items in {time.perf_counter() - started:.1f} s"
        )
        timings = []
        for _ in range(5):
            with db.session_scope() as session:
                t0 = time.perf_counter()
                result = summary(session, now)
                timings.append(time.perf_counter() - t0)
        print(result.model_dump())
        with db.session_scope() as session:
            repo = WidgetRepository(session)
            start = start_of_day(now)
            for name, query in (
                ("wanted", repo.wanted),
                ("searches_since", lambda: repo.searches_since(start)),
                ("grabs_since", lambda: repo.grabs_since(start)),
                ("health_counts", repo.health_counts),
            ):
                t0 = time.perf_counter()
                query()
                print(f"  {name}: {(time.perf_counter() - t0) * 1000:.1f} ms")
        print(
            f"summary: median {statistics.median(timings) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms"
        )
        db.dispose()


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 50_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000,
    )
