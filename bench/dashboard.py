"""Latency of the dashboard, history and library pages on a big database.

Fills a fresh (SQLCipher) database with 1,000,000 search commands (one history item each, over
the last year, in 10,000 runs) and a Sonarr library of 50,000 wanted episodes in 1,000 series,
then serves the real app with `vqs serve` on loopback in its own process, signs in like a
browser (session cookie) and measures p50/p95 latency, requests per second and the server's CPU time per request of `/`,
`/history`, `/api/v1/history`, `/library/{id}` and `/library/{id}/items` at 1, 8 and 32
concurrent clients. The load comes from `loadgen.py` (raw asyncio HTTP/1.1 keep-alive, one
connection per client), because on a 2-core machine a heavier client takes CPU from the server
it measures. Each row also prints the 1-minute load average. Target: p95 <= 100 ms at 32
clients on 2 cores.

    PYTHONPATH=src .venv/bin/python bench/dashboard.py [--commands 1000000] [--items 50000]
        [--data-dir DIR (seeded once, reused after)] [--pages /,/history] [--clients 1,8,32]
        [--writes-per-second N]

The pages are cached until the next commit (`web.page_cache`), so a quiet database mostly
measures replayed answers. `--writes-per-second N` commits a harmless write from another
process's connection N times a second during the load, as a running search does: each commit
makes the next request of every page render afresh.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from loadgen import Page, measure
from sqlalchemy import insert, text

from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.db.engine import open_sqlcipher
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.library.models import LibraryItem, LibraryParent, LibrarySyncState
from vibe_quality_searcharr.search.models import (
    Exclusion,
    SearchCommand,
    SearchCommandItem,
    SearchQueue,
    SearchRun,
)
from vibe_quality_searcharr.security.authentication import SESSION_COOKIE
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import load_settings

TARGET_P95_MS = 100.0
PASSWORD = "a long enough password"
BATCH = 20_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _batches(rows: list[dict[str, Any]]) -> Any:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def fill(data_dir: Path, commands: int, items: int) -> tuple[str, int]:
    """Create the database, an admin, a read token and the rows; returns (token, instance id)."""
    settings = load_settings(data_dir=data_dir, scheduler_enabled=False, log_level="WARNING")
    app = create_app(settings)
    with TestClient(app) as client:
        client.post("/api/v1/setup", json={"username": "bench", "password": PASSWORD})
        token = client.post(
            "/api/v1/tokens",
            json={"name": "bench", "scope": "read"},
            headers={"X-CSRF-Token": client.get("/api/v1/auth/csrf").json()["csrf_token"]},
        ).json()["token"]
        context = app.state.context
        started = time.perf_counter()
        now = datetime.now(UTC)
        rng = random.Random(8)
        with context.database.session_scope() as session:
            box = api_key_box(context.secrets.master_secret)
            instance = Instance(
                name="Sonarr", app="sonarr", url="http://127.0.0.1:9", enabled=True,
                api_key_encrypted=box.encrypt("0" * 32),
            )  # fmt: skip
            session.add(instance)
            session.flush()
            instance_id = instance.id
            queue = SearchQueue(
                name="Missing episodes", instance_id=instance_id, strategy="missing",
                order="oldest", schedule={"kind": "interval", "minutes": 60},
            )  # fmt: skip
            session.add(queue)
            session.flush()
            queue_id = queue.id
        engine = context.database.engine
        parents = 1000
        per_parent = max(items // parents, 1)
        runs = max(commands // 100, 1)
        with engine.begin() as connection:
            connection.execute(
                insert(LibraryParent),
                [
                    {"instance_id": instance_id, "arr_id": p, "kind": "series",
                     "title": f"Series {p:04d}", "sort_title": f"series {p:04d}",
                     "poster_path": f"/MediaCover/{p}/poster.jpg", "item_count": per_parent * 2,
                     "file_count": per_parent, "tags": "", "files_key": ""}
                    for p in range(1, parents + 1)
                ],
            )  # fmt: skip
            library = [
                {"instance_id": instance_id, "arr_id": i, "parent_id": (i - 1) // per_parent + 1,
                 "season_number": 1 + (i % 5), "episode_number": i % 20 + 1,
                 "title": f"Episode {i}", "released_at": now - timedelta(days=i % 900),
                 "monitored": True, "parent_monitored": True, "has_file": i % 3 == 0,
                 "missing": i % 3 != 0, "cutoff_unmet": i % 3 == 0, "tags": ""}
                for i in range(1, items + 1)
            ]  # fmt: skip
            for batch in _batches(library):
                connection.execute(insert(LibraryItem), batch)
            connection.execute(
                insert(LibrarySyncState),
                [{"instance_id": instance_id, "status": "ok", "item_count": items,
                  "last_success_at": now, "started_at": now, "finished_at": now}],
            )  # fmt: skip
            connection.execute(
                insert(Exclusion),
                [{"instance_id": instance_id, "scope": "item", "arr_id": i * 97, "title": "",
                  "reason": "bench", "created_at": now, "created_by": "bench"}
                 for i in range(1, 101)],
            )  # fmt: skip
            connection.execute(
                insert(SearchRun),
                [{"id": r, "queue_id": queue_id, "queue_name": "Missing episodes",
                  "instance_id": instance_id, "instance_name": "Sonarr", "strategy": "missing",
                  "search_order": "oldest", "status": "completed",
                  "started_at": now - timedelta(days=365) + timedelta(minutes=52.56 * r),
                  "planned_commands": 100, "sent_commands": 100, "searches": 100,
                  "skipped": {}, "summary": "100 searched"}
                 for r in range(1, runs + 1)],
            )  # fmt: skip
        _fill_history(engine, commands, items, instance_id, queue_id, now, rng)
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE") if engine.dialect.name == "sqlite" else None
        print(
            f"filled {commands:,} commands (+ items), {items:,} library items in "
            f"{time.perf_counter() - started:.1f} s"
        )
        return token, instance_id


_COMMAND_COLUMNS = (
    "id", "run_id", "queue_id", "queue_name", "instance_id", "instance_name", "strategy", "kind",
    "payload", "item_ids", "series_id", "season_number", "position", "score", "reason", "label",
    "status", "intent_at", "sent_at", "finished_at", "grabbed",
)  # fmt: skip
_ITEM_COLUMNS = (
    "command_id", "instance_id", "item_id", "label", "score", "reason", "grabbed", "grabbed_at",
)  # fmt: skip


def _stored(moment: datetime) -> str:
    """How SQLAlchemy's SQLite DateTime stores a (UTC) time."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _fill_history(
    engine: Any,
    commands: int,
    items: int,
    instance_id: int,
    queue_id: int,
    now: datetime,
    rng: random.Random,
) -> None:
    """The history through the driver, indexes dropped first and built once at the end: the
    way to load a million rows in seconds rather than minutes."""
    tables = (SearchCommand.__table__, SearchCommandItem.__table__)
    indexes = [index for table in tables for index in table.indexes]  # type: ignore[attr-defined]
    command_sql = (
        f"INSERT INTO search_command ({', '.join(_COMMAND_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in _COMMAND_COLUMNS)})"
    )
    item_sql = (
        f"INSERT INTO search_command_item ({', '.join(_ITEM_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in _ITEM_COLUMNS)})"
    )
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for index in indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {index.name}")
        year = 365 * 86400
        for start in range(1, commands + 1, BATCH):
            rows = []
            item_rows = []
            for c in range(start, min(start + BATCH, commands + 1)):
                at = _stored(now - timedelta(seconds=rng.uniform(0, year)))
                grabbed = 1 if rng.random() < 0.05 else 0
                item_id = rng.randint(1, items)
                label = f"Episode {item_id}"
                rows.append(
                    (c, (c - 1) // 100 + 1, queue_id, "Missing episodes", instance_id, "Sonarr",
                     "missing", "EpisodeSearch", "{}", f"[{item_id}]", None, None, c % 100, 10,
                     "missing", label, "completed", at, at, at, grabbed)
                )  # fmt: skip
                item_rows.append(
                    (
                        c,
                        instance_id,
                        item_id,
                        label,
                        10,
                        "missing",
                        grabbed,
                        at if grabbed else None,
                    )
                )
            cursor.executemany(command_sql, rows)
            cursor.executemany(item_sql, item_rows)
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as connection:
        for index in indexes:
            index.create(connection)


def serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("VQS_")}
    env |= {
        "VQS_DATA_DIR": str(data_dir),
        "VQS_PORT": str(port),
        "VQS_HOST": "127.0.0.1",
        "VQS_SCHEDULER_ENABLED": "false",
        "VQS_LOG_LEVEL": "WARNING",
    }
    code = "from vibe_quality_searcharr.cli import app; app()"
    return subprocess.Popen(
        [sys.executable, "-c", code, "serve"], env=env, stdout=subprocess.DEVNULL,
        stderr=(data_dir / "bench-server.log").open("ab"),
    )  # fmt: skip


def sign_in(base: str) -> str:
    """Wait for the server, sign in as a browser would and return the session cookie."""
    with httpx.Client(base_url=base, timeout=30) as client:
        deadline = time.monotonic() + 120
        while True:
            try:
                if client.get("/health/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not become ready")
            time.sleep(0.1)
        response = client.post(
            "/api/v1/auth/login", json={"username": "bench", "password": PASSWORD}
        )
        response.raise_for_status()
        return str(response.cookies[SESSION_COOKIE])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux): a cost per request that the other
    loads on a shared machine do not inflate the way they inflate latency."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_load(
    port: int, cookie: str, paths: list[str], requests: int, levels: list[int], pid: int
) -> bool:
    headers = {"Cookie": f"{SESSION_COOKIE}={cookie}", "Accept": "text/html"}
    print(
        f"{'page':<28}{'clients':>8}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}{'cpu ms':>8}{'load':>7}"
    )
    ok = True
    for path in paths:
        page = Page(path, headers)
        for clients in levels:
            cpu = cpu_seconds(pid)
            result = await measure("127.0.0.1", port, page, clients, requests)
            # Warm-up requests are included in the CPU time: a slight overestimate.
            per_request = (cpu_seconds(pid) - cpu) * 1000 / requests
            print(
                f"{path:<28}{clients:>8}{result.p50_ms:>9.1f}{result.p95_ms:>9.1f}"
                f"{result.per_second:>9.1f}{per_request:>8.1f}{result.load_average:>7.2f}",
                flush=True,
            )
            if clients == 32 and result.p95_ms > TARGET_P95_MS:
                ok = False
    return ok


def churn(data_dir: Path, per_second: float, stop: threading.Event) -> None:
    """Commit a write that changes a page but no figure, `per_second` times a second."""
    settings = load_settings(data_dir=data_dir, scheduler_enabled=False, log_level="WARNING")
    database = open_sqlcipher(settings.sqlite_path, ensure_secrets(settings).database_key)
    try:
        while not stop.wait(1 / per_second):
            with database.session_scope() as session:
                session.execute(text("UPDATE instance SET name = name"))
    finally:
        database.dispose()


def prepared(data_dir: Path, commands: int, items: int) -> int:
    """The instance id of a seeded database in `data_dir`, seeding it first if needed."""
    marker = data_dir / "bench-seeded"
    wanted = f"{commands} {items}"
    if marker.exists() and marker.read_text().split("\n")[0] == wanted:
        return int(marker.read_text().split("\n")[1])
    if any(data_dir.iterdir()):
        raise SystemExit(f"{data_dir} holds something else; give an empty or seeded directory")
    _token, instance_id = fill(data_dir, commands, items)
    marker.write_text(f"{wanted}\n{instance_id}\n")
    return instance_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200, help="per page and concurrency")
    parser.add_argument("--clients", default="1,8,32", help="concurrency levels, comma-separated")
    parser.add_argument("--pages", default="", help="only these paths, comma-separated")
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="keep the seeded database here and reuse it"
    )
    parser.add_argument(
        "--writes-per-second", type=float, default=0.0, help="commits during the load"
    )
    args = parser.parse_args()
    levels = [int(level) for level in args.clients.split(",")]
    with tempfile.TemporaryDirectory() as directory:
        data_dir = args.data_dir or Path(directory)
        data_dir.mkdir(parents=True, exist_ok=True)
        instance_id = prepared(data_dir, args.commands, args.items)
        port = free_port()
        process = serve(data_dir, port)
        try:
            cookie = sign_in(f"http://127.0.0.1:{port}")
            paths = [
                "/", "/history", "/api/v1/history", f"/library/{instance_id}",
                f"/library/{instance_id}/items",
            ]  # fmt: skip
            if args.pages:
                paths = [path for path in args.pages.split(",") if path]
            print(f"one server process; load average before: {os.getloadavg()[0]:.2f}")
            stop = threading.Event()
            if args.writes_per_second > 0:
                print(f"{args.writes_per_second:g} commits per second during the load")
                threading.Thread(
                    target=churn, args=(data_dir, args.writes_per_second, stop), daemon=True
                ).start()
            try:
                ok = asyncio.run(run_load(port, cookie, paths, args.requests, levels, process.pid))
            finally:
                stop.set()
        finally:
            process.terminate()
            process.wait(timeout=20)
        print(f"target p95 <= {TARGET_P95_MS:.0f} ms at 32 clients: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
