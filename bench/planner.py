"""Planner benchmark: plan a run over a mirrored library of 50,000 wanted episodes.

Case 1: one Sonarr instance, ~1,000 series with seasons and air dates over six decades, 50,000
wanted episodes, some search history, exclusions, unmonitored items and queued downloads.
Case 2: 20 such instances held in memory at once, each planned in turn.

Prints the median planning time over several runs for every order (and with cycles and season
packs), the time to build the inputs from rows, and peak memory (tracemalloc for the planning
itself, ru_maxrss for the process). Target: a plan in <= 200 ms for 50,000 items.

Case 3 (sync), run by bench/library_sync.py in a process of its own: a simulated Sonarr (in
its own process too) with ~50,000 wanted episodes synced into a fresh SQLCipher database, then
once more incrementally; prints median and minimum times, the RSS before syncing, the peak RSS
and the sync's own share, and whether the targets (<= 10 s, <= 150 MB) are met.

    .venv/bin/python bench/planner.py [--runs 7] [--instances 20] [--sync-runs 5] [--no-sync]
    .venv/bin/python bench/planner.py --only-sync [--sync-runs 5] [--sync-size 50000]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from vibe_quality_searcharr.search.planner import (
    App,
    ArrActivity,
    Budget,
    BudgetLimit,
    CycleSettings,
    Exclusion,
    Exclusions,
    History,
    Item,
    Library,
    Order,
    QueueSettings,
    SearchState,
    SeasonInfo,
    SeasonKey,
    plan,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
WANTED = 50_000
SERIES = 1_000


def build_rows(seed: int, id_offset: int = 0) -> list[tuple[object, ...]]:
    """Rows as the mirror's query would return them (plain tuples), ~50 wanted per series."""
    rng = random.Random(seed)
    rows: list[tuple[object, ...]] = []
    episode_id = id_offset
    per_series = WANTED // SERIES
    for series_index in range(SERIES):
        series_id = id_offset + series_index + 1
        first_year = rng.randint(1965, 2024)
        airing = first_year >= 2020 and rng.random() < 0.3
        series_monitored = rng.random() > 0.03
        tags = frozenset({rng.randint(1, 8)}) if rng.random() < 0.2 else frozenset()
        profile = rng.randint(1, 4)
        start = datetime(first_year, rng.randint(1, 12), 1, 20, tzinfo=UTC)
        wanted_here = 0
        season = 0
        while wanted_here < per_series:
            season += 1
            episodes = rng.randint(6, 24)
            season_start = start + timedelta(days=365 * (season - 1))
            fully_missing = rng.random() < 0.35
            for number in range(1, episodes + 1):
                if wanted_here >= per_series:
                    break
                if not fully_missing and rng.random() < 0.6:
                    continue
                episode_id += 1
                wanted_here += 1
                aired = season_start + timedelta(days=7 * (number - 1))
                if airing and wanted_here > per_series - 4:
                    aired = NOW + timedelta(days=7 * (number - episodes // 2))
                arr_last = (
                    NOW - timedelta(hours=rng.randint(1, 2000)) if rng.random() < 0.2 else None
                )
                rows.append(
                    (
                        episode_id,
                        series_id,
                        season,
                        aired,
                        rng.random() > 0.02,
                        series_monitored,
                        profile,
                        tags,
                        first_year,
                        arr_last,
                    )
                )
    return rows


def library_from_rows(rows: list[tuple[object, ...]]) -> Library:
    items = [
        Item(
            id=row[0],  # type: ignore[arg-type]
            parent_id=row[1],  # type: ignore[arg-type]
            season_number=row[2],  # type: ignore[arg-type]
            released_at=row[3],  # type: ignore[arg-type]
            monitored=row[4],  # type: ignore[arg-type]
            parent_monitored=row[5],  # type: ignore[arg-type]
            quality_profile_id=row[6],  # type: ignore[arg-type]
            tags=row[7],  # type: ignore[arg-type]
            year=row[8],  # type: ignore[arg-type]
            arr_last_search=row[9],  # type: ignore[arg-type]
        )
        for row in rows
    ]
    seasons: dict[SeasonKey, SeasonInfo] = {}
    newest: dict[SeasonKey, datetime] = {}
    for item in items:
        assert item.parent_id is not None
        assert item.season_number is not None
        assert item.released_at is not None
        key = SeasonKey(item.parent_id, item.season_number)
        if key not in newest or item.released_at > newest[key]:
            newest[key] = item.released_at
    for key, last in newest.items():
        future = last > NOW
        seasons[key] = SeasonInfo(
            next_airing=last if future else None, last_aired=None if future else last
        )
    return Library(App.SONARR, items, seasons=seasons)


def build_history(library: Library, seed: int) -> tuple[History, Exclusions, ArrActivity]:
    rng = random.Random(seed)
    states: dict[int, SearchState] = {}
    for item in library.items:
        if rng.random() < 0.3:
            fruitless = rng.randint(0, 4)
            states[item.id] = SearchState(
                NOW - timedelta(hours=rng.randint(1, 24 * 60)),
                fruitless + rng.randint(1, 3),
                fruitless,
                None,
                item.released_at,
                item.quality_profile_id,
            )
    season_states = {
        key: SearchState(NOW - timedelta(days=rng.randint(1, 90)), 1, rng.randint(0, 2))
        for key in library.seasons
        if rng.random() < 0.1
    }
    ids = [item.id for item in library.items]
    parents = sorted({item.parent_id for item in library.items if item.parent_id is not None})
    exclusions = Exclusions(
        items={item_id: Exclusion() for item_id in rng.sample(ids, 200)},
        parents={parent: Exclusion(NOW + timedelta(days=30)) for parent in rng.sample(parents, 20)},
    )
    activity = ArrActivity(frozenset(rng.sample(ids, 50)), 5, 0)
    return History(states, season_states), exclusions, activity


def median_ms(run: Callable[[], object], runs: int) -> str:
    """Median wall time, and median CPU time of this process (the machine may be shared: CPU
    time is what the planner itself costs)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return f"{statistics.median(wall):.1f} ms wall, {statistics.median(cpu):.1f} ms CPU"


def _cpu_ms(run: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.process_time()
        run()
        timings.append((time.process_time() - start) * 1000)
    return statistics.median(timings)


def calibration_ms() -> float:
    """A plain interpreter loop, printed so figures from different machines can be compared."""
    timings = []
    for _ in range(3):
        start = time.process_time()
        total = 0
        for number in range(5_000_000):
            total += number
        timings.append((time.process_time() - start) * 1000)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--sync-runs", type=int, default=5)
    parser.add_argument("--sync-size", type=int, default=50_000)
    parser.add_argument("--no-sync", action="store_true")
    parser.add_argument("--only-sync", action="store_true")
    args = parser.parse_args()
    if args.only_sync:
        sync_case(args.sync_runs, args.sync_size)
        return

    print(f"machine: a 5,000,000-step Python loop takes {calibration_ms():.0f} ms of CPU here")
    rows = build_rows(1)
    start = time.perf_counter()
    library = library_from_rows(rows)
    build_ms = (time.perf_counter() - start) * 1000
    history, exclusions, activity = build_history(library, 2)
    budget = Budget((BudgetLimit("instance hourly cap", 10), BudgetLimit("instance daily cap", 80)))
    print(
        f"case 1: {len(library.items):,} wanted episodes, "
        f"{len({item.parent_id for item in library.items}):,} series, "
        f"{len(library.seasons):,} seasons, {len(history.item_states):,} item search records"
    )
    print(f"  build Items + SeasonInfo from rows: {build_ms:.1f} ms")

    def run(queue: QueueSettings, seed: int = 7) -> object:
        return plan(
            library,
            queue,
            now=NOW,
            seed=seed,
            history=history,
            exclusions=exclusions,
            activity=activity,
            budget=budget,
        )

    sample = plan(
        library,
        QueueSettings(),
        now=NOW,
        seed=7,
        history=history,
        exclusions=exclusions,
        activity=activity,
        budget=budget,
    )
    print(f"  sample plan: {sample.summary.text}")
    cases = {
        "priority (default, batch 10)": QueueSettings(),
        "random": QueueSettings(order=Order.RANDOM),
        "oldest": QueueSettings(order=Order.OLDEST),
        "newest": QueueSettings(order=Order.NEWEST),
        "least_recently_searched": QueueSettings(order=Order.LEAST_RECENTLY_SEARCHED),
        "priority, cycle mode": QueueSettings(cycle=CycleSettings(enabled=True)),
        "priority, batch 500 (unlimited budget)": QueueSettings(batch_size=500),
    }
    for name, queue in cases.items():
        if "unlimited" in name:
            ms = median_ms(
                lambda queue=queue: plan(library, queue, now=NOW, seed=7, history=history),
                args.runs,
            )
        else:
            ms = median_ms(lambda queue=queue: run(queue), args.runs)
        print(f"  plan, {name}: median {ms} over {args.runs} runs")

    # Steady state: after weeks of runs every wanted item has a search record.
    for label, since in (("2 hours ago (all cooling down)", 2), ("20 days ago", 20 * 24)):
        everyone = History(
            {
                item.id: SearchState(
                    NOW - timedelta(hours=since),
                    2,
                    1,
                    None,
                    item.released_at,
                    item.quality_profile_id,
                )
                for item in library.items
            }
        )
        ms = median_ms(
            lambda everyone=everyone: plan(
                library,
                QueueSettings(),
                now=NOW,
                seed=7,
                history=everyone,
                exclusions=exclusions,
                activity=activity,
                budget=budget,
            ),
            args.runs,
        )
        print(f"  plan, priority, every item last searched {label}: median {ms}")

    tracemalloc.start()
    run(QueueSettings())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  peak memory allocated while planning (tracemalloc): {peak / 2**20:.1f} MiB")
    print(
        f"  process peak RSS so far: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )

    print(f"case 2: {args.instances} instances x {WANTED:,} wanted episodes in memory")
    libraries = [library]
    histories = [(history, exclusions, activity)]
    for index in range(1, args.instances):
        other = library_from_rows(build_rows(100 + index, id_offset=index * 10_000_000))
        libraries.append(other)
        histories.append(build_history(other, 200 + index))

    def plan_all() -> None:
        for lib, (hist, excl, act) in zip(libraries, histories, strict=True):
            plan(
                lib,
                QueueSettings(),
                now=NOW,
                seed=7,
                history=hist,
                exclusions=excl,
                activity=act,
                budget=budget,
            )

    per_instance = []
    for lib, (hist, excl, act) in zip(libraries, histories, strict=True):
        per_instance.append(
            _cpu_ms(
                lambda lib=lib, hist=hist, excl=excl, act=act: plan(
                    lib,
                    QueueSettings(),
                    now=NOW,
                    seed=7,
                    history=hist,
                    exclusions=excl,
                    activity=act,
                    budget=budget,
                ),
                3,
            )
        )
    total = median_ms(plan_all, max(3, args.runs // 2))
    print(
        f"  plan one instance: median {statistics.median(per_instance):.1f} ms CPU "
        f"(slowest {max(per_instance):.1f} ms)"
    )
    print(f"  plan all {args.instances} instances in turn: median {total}")
    print(
        f"  process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    if not args.no_sync:
        sync_case(args.sync_runs, args.sync_size)


def sync_case(runs: int, size: int) -> None:
    """Case 3 runs in a process of its own (bench/library_sync.py): the peak RSS it prints is
    the sync's, not this process's (planner, case 2's libraries)."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).with_name("library_sync.py")
    command = [sys.executable, str(script), "--runs", str(runs), "--size", str(size)]
    subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
