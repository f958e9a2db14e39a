"""Budget benchmark: 5,000 missing episodes over 40 series, 2 indexers at 100 queries/day each.

A simulated Sonarr seeded with exactly 40 series carrying exactly 5,000 missing episodes
(`simulator.backlog.generate_tv_backlog`: whole seasons held, whole seasons missing, gaps)
behind a simulated Prowlarr whose two indexers each allow 100 queries a day. A queue runs every
hour through the real executor (`tests/search/harness.py`: the mirror is filled by the real
`LibrarySync`, the executor's clock is the simulator's, its sleeper moves that clock; nothing
waits in real time), twice:

- `priority` order with season packs (a season search is one query per indexer);
- `random` order without season packs (one query per episode).

Each case runs until its first full pass completes (every wanted item searched at least once,
by episode or by its season's search), or `--cap` days. Measured over the first `--days`
(a week): indexer queries (Prowlarr's own counters; one command = one query on each indexer),
episodes grabbed, grabs per query, excess over any indexer limit (must be 0); and the
simulated days to the first full pass (measured, never extrapolated: "> cap" when none
completed). Prints a markdown table.

    PYTHONPATH=src:. .venv/bin/python bench/budget.py [--days 7] [--cap 60] [--batch 10]
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
from vibe_quality_searcharr.simulator.backlog import generate_tv_backlog
from vibe_quality_searcharr.simulator.indexers import Indexer
from vibe_quality_searcharr.simulator.testing import RunningSimulator, start_simulator

SERIES = 40
MISSING = 5000


@dataclass
class Result:
    name: str
    wanted: int
    series: int
    queries: int  # over the first `days`
    grabbed: int  # over the first `days`
    full_pass_days: float | None  # None: no full pass within the cap
    total_queries: int  # until the first full pass completed (or within the cap)
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


def _queries(prowlarr: RunningSimulator) -> int:
    return sum(indexer.total_queries for indexer in prowlarr.state.pool.indexers)


def simulate(name: str, order: str, packs: bool, *, days: int, cap: int, batch: int) -> Result:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        context = build_context(Settings(data_dir=Path(tmp)), configure_logs=False)
        prowlarr = start_simulator("prowlarr")
        now = prowlarr.clock.now()
        prowlarr.state.pool.indexers[:] = [
            Indexer(1, "IndexerA", protocol="usenet", query_limit=100, added=now),
            Indexer(2, "IndexerB", protocol="usenet", query_limit=100, added=now),
        ]
        backlog = generate_tv_backlog(1, now, series=SERIES, missing=MISSING)
        sonarr = start_simulator("sonarr", size=0, join=prowlarr, app_tags=[], library=backlog)
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
            week: tuple[int, int] | None = None
            pass_queries: int | None = None
            for hour in range(max(days, cap) * 24):
                if hour == days * 24:
                    week = (_queries(prowlarr), sonarr.state.stats.grabs)
                if week is not None and full_pass is not None:
                    break
                target = start + timedelta(hours=hour)
                ahead = (target - sonarr.clock.now()).total_seconds()
                if ahead > 0:
                    sonarr.advance(ahead)
                setup.run()
                if full_pass is None and wanted <= _covered(context, setup.instance_id):
                    full_pass = (sonarr.clock.now() - start).total_seconds() / 86400
                    pass_queries = _queries(prowlarr)
            week_queries, week_grabs = week or (_queries(prowlarr), sonarr.state.stats.grabs)
            total_queries = pass_queries if pass_queries is not None else _queries(prowlarr)
            excess = sum(indexer.excess_queries for indexer in prowlarr.state.pool.indexers)
        finally:
            sonarr.stop()
            prowlarr.stop()
            context.database.dispose()
    return Result(
        name, len(wanted), series, week_queries, week_grabs, full_pass, total_queries, excess,
        time.perf_counter() - started,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7, help="the measured period (a week)")
    parser.add_argument("--cap", type=int, default=60, help="give up on a full pass after")
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--only", choices=["priority", "random"], help="run one case")
    args = parser.parse_args()
    cases = [("priority + season packs", "priority", True), ("random, no packs", "random", False)]
    results = [
        simulate(name, order, packs, days=args.days, cap=args.cap, batch=args.batch)
        for name, order, packs in cases
        if args.only in (None, order)
    ]
    print(
        f"{args.days} simulated days (full pass: up to {args.cap}), {SERIES} series, "
        f"{MISSING} missing episodes, 2 indexers x 100 queries/day, hourly runs of {args.batch}"
    )
    print()
    print(
        f"| case | wanted | series | queries ({args.days} d) | grabbed ({args.days} d) "
        "| grabs/query | first full pass (d) | queries to it (or in cap) | limit excess | time (s) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        passed = f"{r.full_pass_days:.1f}" if r.full_pass_days is not None else f"> {args.cap}"
        print(
            f"| {r.name} | {r.wanted} | {r.series} | {r.queries} | {r.grabbed} "
            f"| {r.per_query:.2f} | {passed} | {r.total_queries} | {r.excess} | {r.seconds:.0f} |"
        )


if __name__ == "__main__":
    main()
