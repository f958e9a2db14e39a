"""Budget benchmark: a simulated week against 2 indexers at 100 queries/day each.

A simulated Sonarr (~5,000 missing episodes; the generator decides the series count, printed)
behind a simulated Prowlarr whose two indexers each allow 100 queries a day. A queue runs every
hour through the real executor (`tests/search/harness.py`: the executor's clock is the
simulator's, its sleeper moves that clock; nothing waits in real time), for a week, twice:

- `priority` order with season packs (a pack is one query for a whole season);
- `random` order without season packs (one query per episode).

Measured: indexer queries (Prowlarr's own counters), items grabbed, grabs per query, days to
the first full pass (every wanted item searched or covered by a pack once) and the excess over
any indexer limit (must be 0). Prints the table.

    PYTHONPATH=src:. .venv/bin/python bench/budget.py [--days 7] [--size 5000] [--batch 10]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from tests.instances.conftest import make_instance
from tests.search.harness import setup_search
from vibe_quality_searcharr.app import build_context
from vibe_quality_searcharr.library.models import LibraryItem
from vibe_quality_searcharr.search.budgets.models import InstanceLimits
from vibe_quality_searcharr.search.models import SearchCommand
from vibe_quality_searcharr.settings import Settings
from vibe_quality_searcharr.simulator.indexers import Indexer
from vibe_quality_searcharr.simulator.testing import start_simulator


@dataclass
class Result:
    name: str
    wanted: int
    series: int
    queries: int
    grabbed: int
    full_pass_days: float | None
    excess: int
    seconds: float

    @property
    def per_query(self) -> float:
        return self.grabbed / self.queries if self.queries else 0.0


def _covered(context, instance_id: int) -> set[int]:  # type: ignore[no-untyped-def]
    with context.database.session_scope() as session:
        rows = session.scalars(
            select(SearchCommand.item_ids).where(
                SearchCommand.instance_id == instance_id,
                SearchCommand.arr_command_id.is_not(None),
            )
        ).all()
    return {item for ids in rows for item in ids}


def _wanted(context, instance_id: int) -> set[int]:  # type: ignore[no-untyped-def]
    with context.database.session_scope() as session:
        return set(
            session.scalars(
                select(LibraryItem.arr_id).where(
                    LibraryItem.instance_id == instance_id, LibraryItem.missing.is_(True)
                )
            )
        )


def simulate(name: str, order: str, packs: bool, *, days: int, size: int, batch: int) -> Result:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        context = build_context(Settings(data_dir=Path(tmp)), configure_logs=False)
        prowlarr = start_simulator("prowlarr")
        now = prowlarr.clock.now()
        prowlarr.state.pool.indexers[:] = [
            Indexer(1, "IndexerA", protocol="usenet", query_limit=100, added=now),
            Indexer(2, "IndexerB", protocol="usenet", query_limit=100, added=now),
        ]
        sonarr = start_simulator("sonarr", size=size, join=prowlarr, app_tags=[])
        try:
            setup = setup_search(
                context,
                sonarr,
                order=order,
                batch_size=batch,
                options={"ids_per_command": 1, "season_packs": {"enabled": packs}},
            )
            with context.database.session_scope() as session:
                make_instance(
                    session, context, name="Prowlarr", app="prowlarr", url=prowlarr.base_url,
                    api_key=prowlarr.api_key,
                )  # fmt: skip
                session.add(
                    InstanceLimits(instance_id=setup.instance_id, hourly_cap=None, daily_cap=None)
                )
            wanted = _wanted(context, setup.instance_id)
            series = len(sonarr.state.library.parents) if sonarr.state.library else 0
            start = sonarr.clock.now()
            full_pass: float | None = None
            for hour in range(days * 24):
                target = start + timedelta(hours=hour)
                ahead = (target - sonarr.clock.now()).total_seconds()
                if ahead > 0:
                    sonarr.advance(ahead)
                setup.run()
                if full_pass is None and wanted <= _covered(context, setup.instance_id):
                    full_pass = (sonarr.clock.now() - start).total_seconds() / 86400
            pool = prowlarr.state.pool
            queries = sum(indexer.total_queries for indexer in pool.indexers)
            excess = sum(indexer.excess_queries for indexer in pool.indexers)
            grabbed = sonarr.state.stats.grabs
        finally:
            sonarr.stop()
            prowlarr.stop()
            context.database.dispose()
    return Result(
        name, len(wanted), series, queries, grabbed, full_pass, excess,
        time.perf_counter() - started,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args()
    results = [
        simulate("priority + season packs", "priority", True, days=args.days, size=args.size,
                 batch=args.batch),
        simulate("random, no packs", "random", False, days=args.days, size=args.size,
                 batch=args.batch),
    ]  # fmt: skip
    header = (
        f"{'case':<26}{'wanted':>8}{'series':>8}{'queries':>9}{'grabbed':>9}"
        f"{'grabs/query':>13}{'full pass (d)':>15}{'excess':>8}{'time (s)':>10}"
    )
    print(f"{args.days} simulated days, 2 indexers x 100 queries/day, hourly runs of {args.batch}")
    print(header)
    for r in results:
        days = f"{r.full_pass_days:.1f}" if r.full_pass_days is not None else f"> {args.days}"
        print(
            f"{r.name:<26}{r.wanted:>8}{r.series:>8}{r.queries:>9}{r.grabbed:>9}"
            f"{r.per_query:>13.3f}{days:>15}{r.excess:>8}{r.seconds:>10.1f}"
        )


if __name__ == "__main__":
    main()
