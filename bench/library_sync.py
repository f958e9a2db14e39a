"""Library sync benchmark (case 3 of bench/planner.py, in a process of its own).

A simulated Sonarr (in its own process) whose wanted/missing list holds ~50,000 episodes is
synced into a fresh SQLCipher database, `--runs` times; each full sync is followed by a second,
incremental one into the same database (the *arr unchanged: what differs is the next batch of
episode-file reads). Each database is created and migrated by a short-lived helper process, like
the simulator not part of what is measured: this process holds only what a sync needs.

Prints the median and minimum times (and this process's CPU time), the calls made, the RSS of
this process before its first sync (its imports), its peak RSS and the difference (the sync's
own memory), and whether the targets are met: a full sync in <= 10 s (median), <= 150 MB peak.

    .venv/bin/python bench/library_sync.py [--runs 5] [--size 50000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

SECONDS_TARGET = 10.0
RSS_MB_TARGET = 150


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return peak_rss_mb()


def _serve_simulator(conn: Connection, size: int) -> None:
    """Child process: serve a simulated Sonarr until the parent says stop."""
    from vibe_quality_searcharr.simulator.testing import start_simulator

    sim = start_simulator("sonarr", size=size)
    library = sim.state.library
    assert library is not None
    conn.send((sim.base_url, sim.api_key, len(library.parents)))
    conn.recv()
    sim.stop()


def _prepare_database(conn: Connection, data_dir: str, base_url: str, api_key: str) -> None:
    """Child process: a fresh migrated database with one Sonarr instance; sends its id."""
    from vibe_quality_searcharr.db import migrate
    from vibe_quality_searcharr.db.engine import open_sqlcipher
    from vibe_quality_searcharr.instances.models import Instance
    from vibe_quality_searcharr.instances.service import api_key_box
    from vibe_quality_searcharr.security.keyfiles import ensure_secrets
    from vibe_quality_searcharr.settings import load_settings

    settings = load_settings(data_dir=Path(data_dir), scheduler_enabled=False)
    secrets = ensure_secrets(settings)
    database = open_sqlcipher(settings.sqlite_path, secrets.database_key)
    migrate.upgrade(database)
    box = api_key_box(secrets.master_secret)
    with database.session_scope() as session:
        instance = Instance(
            name="bench", app="sonarr", url=base_url, enabled=True,
            api_key_encrypted=box.encrypt(api_key),
        )  # fmt: skip
        session.add(instance)
        session.flush()
        instance_id = instance.id
    database.dispose()
    conn.send(instance_id)


def _spawn(target: object, *args: object) -> tuple[multiprocessing.process.BaseProcess, Connection]:
    parent_end, child_end = multiprocessing.Pipe()
    child = multiprocessing.get_context("spawn").Process(
        target=target,  # type: ignore[arg-type]
        args=(child_end, *args),
        daemon=True,
    )
    child.start()
    return child, parent_end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", type=int, default=50_000)
    args = parser.parse_args()
    run(args.runs, args.size)


def run(runs: int, size: int) -> None:
    import anyio

    from vibe_quality_searcharr.arr.retry import RetryPolicy
    from vibe_quality_searcharr.arr.transport import ClientOptions
    from vibe_quality_searcharr.db.engine import open_sqlcipher
    from vibe_quality_searcharr.events import EventBus
    from vibe_quality_searcharr.instances.connection import Connector
    from vibe_quality_searcharr.instances.service import api_key_box
    from vibe_quality_searcharr.library.sync import LibrarySync, SyncOutcome
    from vibe_quality_searcharr.security.keyfiles import ensure_secrets
    from vibe_quality_searcharr.settings import load_settings

    started = time.perf_counter()
    simulator, sim_end = _spawn(_serve_simulator, size)
    base_url, api_key, series = sim_end.recv()
    before_mb = current_rss_mb()
    print(
        f"case 3 (sync): simulated Sonarr (own process) with {size:,} monitored wanted/missing "
        f"episodes, {series:,} series (ready in {time.perf_counter() - started:.1f} s); "
        f"RSS of this process before syncing {before_mb:.0f} MB (its imports)"
    )
    full: list[float] = []
    full_cpu: list[float] = []
    again: list[float] = []
    outcomes: list[SyncOutcome] = []
    try:
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as tmp:
                data_dir = str(Path(tmp) / "data")
                helper, helper_end = _spawn(_prepare_database, data_dir, base_url, api_key)
                instance_id = helper_end.recv()
                helper.join(30)
                settings = load_settings(data_dir=Path(data_dir), scheduler_enabled=False)
                secrets = ensure_secrets(settings)
                database = open_sqlcipher(settings.sqlite_path, secrets.database_key)
                syncer = LibrarySync(
                    database, EventBus(), api_key_box(secrets.master_secret),
                    connector=Connector(options=ClientOptions(retry=RetryPolicy(retries=0))),
                )  # fmt: skip
                for timings in (full, again):
                    begin, begin_cpu = time.perf_counter(), time.process_time()
                    outcome = anyio.run(syncer.sync, instance_id)
                    timings.append(time.perf_counter() - begin)
                    if timings is full:
                        full_cpu.append(time.process_time() - begin_cpu)
                    assert outcome.ok, outcome.error
                    outcomes.append(outcome)
                database.dispose()
    finally:
        sim_end.send("stop")
        simulator.join(30)
    first, second = outcomes[0].counts, outcomes[1].counts
    print(
        f"  mirrored {first['items']:,} items ({first['missing']:,} missing incl. unmonitored, "
        f"{first['cutoff_unmet']:,} cutoff unmet), {first['parents']:,} series, "
        f"{first['seasons']:,} seasons in {first['api_calls']} calls "
        f"({first['file_fetches']} episode-file reads)"
    )
    peak_mb = peak_rss_mb()
    median = statistics.median(full)
    print(
        f"  full sync into a fresh SQLCipher database: median {median:.2f} s over {runs} runs "
        f"(min {min(full):.2f} s; median CPU of this process {statistics.median(full_cpu):.2f} s)"
    )
    print(
        f"  incremental sync right after (inserted {second['inserted']:,}, updated "
        f"{second['updated']:,}, deleted {second['deleted']:,}; {second['api_calls']} calls): "
        f"median {statistics.median(again):.2f} s (min {min(again):.2f} s)"
    )
    print(
        f"  peak RSS of this process {peak_mb:.0f} MB = {before_mb:.0f} MB imports "
        f"+ {peak_mb - before_mb:.0f} MB for the syncs"
    )
    time_ok = median <= SECONDS_TARGET
    rss_ok = peak_mb <= RSS_MB_TARGET
    print(
        f"  targets: full sync <= {SECONDS_TARGET:g} s median: {'met' if time_ok else 'NOT met'} "
        f"({median:.2f} s); peak RSS <= {RSS_MB_TARGET} MB: {'met' if rss_ok else 'NOT met'} "
        f"({peak_mb:.0f} MB)"
    )


if __name__ == "__main__":
    main()
