"""Ways to make the database fail under a running service, for `test_disk_db.py`.

- A full disk: `PageLimit` applies SQLite's `max_page_count` to every connection the app checks
  out, so the database cannot grow a page, as on a full disk (measured through SQLCipher and
  the pool: SQLITE_FULL, "database or disk is full", the transaction rolled back).
- A lock held by another process: `locked_by_another_process` runs a second process that holds
  `BEGIN EXCLUSIVE` until told to let go (it reports over a pipe; nothing waits on a timer).
- A damaged file: `damage_pages` writes random bytes over one table's root page.
- PostgreSQL out of reach: `TcpProxy` forwards loopback connections to the server and can be
  cut (every connection dropped, new ones closed at once) and restored on the same port.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import Database, open_sqlcipher
from vibe_quality_searcharr.search.models import SearchQueue
from vibe_quality_searcharr.search.queues.presets import PresetName
from vibe_quality_searcharr.search.queues.views import new_queue_values
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import Settings

__all__ = [
    "PageLimit",
    "TcpProxy",
    "assert_html_error",
    "checkpoint",
    "damage_pages",
    "fill_disk",
    "integrity",
    "locked_by_another_process",
    "queue_body",
    "queue_count",
    "queue_form",
    "queue_names",
    "readiness",
]

SQLITE_MAX_PAGES = 1_073_741_823


class PageLimit:
    """`PRAGMA max_page_count` on every checkout: at `fill()` the database stops growing."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.limit: int | None = None
        event.listen(database.engine, "checkout", self._apply)

    def _apply(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {self.limit or SQLITE_MAX_PAGES}")

    def fill(self) -> None:
        with self.database.engine.connect() as connection:
            self.limit = int(connection.exec_driver_sql("PRAGMA page_count").scalar() or 0)

    def lift(self) -> None:
        self.limit = None


_HOLDER = """
import sys, sqlcipher3
connection = sqlcipher3.dbapi2.connect(sys.argv[1], isolation_level=None)
connection.execute("PRAGMA key = \\"x'" + sys.stdin.readline().strip() + "'\\"")
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
connection.close()
print("released", flush=True)
"""


@contextlib.contextmanager
def short_busy_database(settings: Settings, busy_timeout_ms: int) -> Iterator[Database]:
    """The test's SQLCipher database, migrated, whose writers give up on another process's
    lock after `busy_timeout_ms` instead of the production 10 s: a refusal is quick to see."""
    keys = ensure_secrets(settings)
    db = open_sqlcipher(settings.sqlite_path, keys.database_key, busy_timeout_ms=busy_timeout_ms)
    migrate.upgrade(db)
    try:
        yield db
    finally:
        db.dispose()


@contextlib.contextmanager
def locked_by_another_process(path: Path, key_hex: str) -> Iterator[None]:
    """Another process takes the database's write lock and keeps it until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None
    assert holder.stdout is not None
    try:
        holder.stdin.write(key_hex + "\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "locked"
        yield
        holder.stdin.write("release\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "released"
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def queue_form(instance_id: int, name: str) -> dict[str, Any]:
    """What a browser posts from the new-queue page (unchecked boxes absent)."""
    values = dict(new_queue_values(PresetName.STEADY_MISSING, instance_id).items())
    values["name"] = name
    form = {key: value for key, value in values.items() if value is not False}
    return {key: ("on" if value is True else value) for key, value in form.items()}


def assert_html_error(mode: Mode, response: Any, *words: str) -> str:
    page = mode.page(response, 503)
    assert "Database unavailable" in page
    for word in words:
        assert word in page
    assert "Traceback" not in page
    assert "sqlalchemy" not in page.lower()
    return page


def queue_body(instance_id: int, name: str) -> dict[str, Any]:
    return {"name": name, "instance_id": instance_id, "batch_size": 5}


def queue_count(context: AppContext) -> int:
    with context.database.session_scope(read_only=True) as session:
        return session.scalar(select(func.count()).select_from(SearchQueue)) or 0


def integrity(database: Database) -> list[str]:
    with database.engine.connect() as connection:
        return [str(row[0]) for row in connection.exec_driver_sql("PRAGMA integrity_check")]


def readiness(client: TestClient) -> tuple[int, dict[str, Any]]:
    response = client.get("/health/ready")
    return response.status_code, response.json()["checks"]["database"]


def queue_names(client: TestClient) -> list[str]:
    response = client.get("/api/v1/queues")
    assert response.status_code == 200, response.text
    return sorted(item["name"] for item in response.json()["items"])


def fill_disk(directory: Path) -> Path:
    """Write a file until the disk has no byte left."""
    filler = directory / "filler"
    with filler.open("wb", buffering=0) as handle:
        for size in (65536, 1):
            with contextlib.suppress(OSError):
                while handle.write(b"\0" * size):
                    pass
    return filler


def checkpoint(database: Database) -> None:
    """Fold the WAL into the file and empty it (outside a transaction, as the pragma needs)."""
    pooled = database.engine.raw_connection()
    try:
        raw: Any = pooled.driver_connection
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        pooled.close()


def damage_pages(database: Database, table: str) -> None:
    """Garbage over the root page of `table`, as a failing disk would leave it."""
    pooled = database.engine.raw_connection()  # outside a transaction: the checkpoint needs it
    try:
        raw: Any = pooled.driver_connection
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = int(raw.execute("PRAGMA page_size").fetchone()[0])
        query = "SELECT rootpage FROM sqlite_master WHERE name = ?"
        root = raw.execute(query, (table,)).fetchone()[0]
    finally:
        pooled.close()
    assert database.sqlite_path is not None
    assert isinstance(root, int)
    with database.sqlite_path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(os.urandom(page_size))
    # The pooled connections may still hold that page in their caches; a damaged disk shows
    # to the next connection that reads it.
    database.engine.dispose()


class TcpProxy:
    """127.0.0.1:<port> forwarded to the server; `cut()` is the server gone, `restore()` back."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.open = True
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            upstream = socket.create_connection(self.target, timeout=5)
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.open = False
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        self.open = True

    def close(self) -> None:
        self.cut()
        self.listener.close()
